//! `constraint-never-met`: a constraint that no agent meets, judged by `crate::placement`.

use super::{report, AppContext, Rule};
use crate::diagnostic::Diagnostic;

pub struct ConstraintNeverMet;

impl Rule for ConstraintNeverMet {
    fn id(&self) -> &'static str {
        crate::placement::CONSTRAINT
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        report(self.id(), app, out);
    }
}
