//! `resources-exceed-agents`: an app asks for more cpus, mem, disk or gpus than any agent offers it, judged by `crate::placement`.

use super::{report, AppContext, Rule};
use crate::diagnostic::Diagnostic;

pub struct ResourcesExceedAgents;

impl Rule for ResourcesExceedAgents {
    fn id(&self) -> &'static str {
        crate::placement::RESOURCES
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        report(self.id(), app, out);
    }
}
