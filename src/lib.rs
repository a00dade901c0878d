//! marathon-lint: a static linter and policy checker for Marathon app
//! definitions. The modules follow the data: discover files, parse them with
//! spans, find apps and groups, validate the schema, run the rules, report.

pub mod app_members;
pub mod baseline;
pub mod catalogue;
pub mod cli;
pub mod cluster;
pub mod commands;
pub mod config;
pub mod deploy_method;
pub mod diagnostic;
pub mod discover;
pub mod editor_schema;
pub mod engine;
pub mod fix;
pub mod lint;
pub mod lsp;
pub mod marathon_target;
pub mod migrate;
pub mod model;
pub mod ordered_output;
pub mod parse;
pub mod placement;
pub mod plan;
pub mod policy;
pub mod project_rules;
pub mod report;
pub mod rule_docs;
pub mod rules;
pub mod schema;
pub mod source;
pub mod suppression;
pub mod template;
pub mod write_back;
