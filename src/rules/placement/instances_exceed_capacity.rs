//! `instances-exceed-capacity`: more instances than the agents can run at once, judged by `crate::placement`.

use super::{report, AppContext, Rule};
use crate::diagnostic::Diagnostic;

pub struct InstancesExceedCapacity;

impl Rule for InstancesExceedCapacity {
    fn id(&self) -> &'static str {
        crate::placement::CAPACITY
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        report(self.id(), app, out);
    }
}
