//! `host-port-held-by-running-app`: a fixed host port that running apps already hold on the agents, judged by `crate::placement`.

use super::{report, AppContext, Rule};
use crate::diagnostic::Diagnostic;

pub struct HostPortHeldByRunningApp;

impl Rule for HostPortHeldByRunningApp {
    fn id(&self) -> &'static str {
        crate::placement::HELD
    }

    fn check_app(&self, app: &AppContext<'_>, out: &mut Vec<Diagnostic>) {
        report(self.id(), app, out);
    }
}
