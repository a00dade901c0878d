//! The server's loop: the handshake, then batches of messages. Each batch
//! is everything the client has sent so far, so a burst of edits is linted
//! once, at its last version, and the diagnostics published last are always
//! those of the newest text.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use lsp_server::{Connection, ErrorCode, Message, Notification, Request, RequestId, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidChangeWatchedFiles, DidCloseTextDocument, DidOpenTextDocument, DidSaveTextDocument,
    Notification as _, PublishDiagnostics,
};
use lsp_types::request::{CodeActionRequest, HoverRequest, Initialize, Request as _, Shutdown};
use lsp_types::{
    CodeActionKind, CodeActionOptions, CodeActionProviderCapability, HoverProviderCapability, InitializeParams,
    InitializeResult, PublishDiagnosticsParams, SaveOptions, ServerCapabilities, ServerInfo,
    TextDocumentSyncCapability, TextDocumentSyncKind, TextDocumentSyncOptions, TextDocumentSyncSaveOptions, Uri,
};
use serde_json::Value;

use super::code_actions::{self, FIX_ALL_KIND};
use super::diagnostics::to_lsp;
use super::documents::Documents;
use super::hover;
use super::positions::{Encoding, LineIndex};
use super::uri;

/// How the session ended.
#[derive(Debug, PartialEq, Eq)]
pub enum End {
    /// `shutdown`, then `exit`: exit status 0.
    Clean,
    /// `exit` without `shutdown`, or the client went away: status 1, as the
    /// protocol asks.
    Abrupt,
}

/// Serve one client until it says `exit` or its input ends.
pub fn serve(connection: &Connection) -> End {
    let Some((encoding, root)) = handshake(connection) else {
        return End::Abrupt;
    };
    let mut server = Server {
        documents: Documents::new(encoding, root),
        sender: connection.sender.clone(),
        shutting_down: false,
        config_uris: HashSet::new(),
    };
    while let Ok(first) = connection.receiver.recv() {
        let batch: Vec<Message> = std::iter::once(first).chain(connection.receiver.try_iter()).collect();
        for message in batch {
            if let Some(end) = server.handle(message) {
                return end;
            }
        }
        server.publish();
    }
    End::Abrupt
}

/// Wait for `initialize`, answer it with what we provide and in which
/// position encoding. Gives that encoding and the workspace's root
/// directory; `None` when the client leaves first.
fn handshake(connection: &Connection) -> Option<(Encoding, Option<PathBuf>)> {
    loop {
        match connection.receiver.recv().ok()? {
            Message::Request(request) if request.method == Initialize::METHOD => {
                let params: InitializeParams = serde_json::from_value(request.params).unwrap_or_default();
                let root = workspace_root(&params);
                let offered = params.capabilities.general.and_then(|g| g.position_encodings);
                let encoding = Encoding::negotiate(offered.as_deref());
                let result = InitializeResult {
                    capabilities: capabilities(encoding),
                    server_info: Some(ServerInfo {
                        name: "marathon-lint".to_string(),
                        version: Some(env!("CARGO_PKG_VERSION").to_string()),
                    }),
                };
                send(&connection.sender, Response::new_ok(request.id, result));
                return Some((encoding, root));
            }
            Message::Request(request) => send(
                &connection.sender,
                Response::new_err(
                    request.id,
                    ErrorCode::ServerNotInitialized as i32,
                    "the server is not initialized yet".to_string(),
                ),
            ),
            Message::Notification(n) if n.method == "exit" => return None,
            _ => {}
        }
    }
}

/// The directory of the first workspace folder, or else of the root URI.
fn workspace_root(params: &InitializeParams) -> Option<PathBuf> {
    let folder = params.workspace_folders.as_ref().and_then(|folders| folders.first());
    #[allow(deprecated)] // rootUri: what clients without workspace folders send
    let uri = folder.map(|f| &f.uri).or(params.root_uri.as_ref())?;
    uri::to_path(uri)
}

fn capabilities(encoding: Encoding) -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(encoding.kind()),
        text_document_sync: Some(TextDocumentSyncCapability::Options(TextDocumentSyncOptions {
            open_close: Some(true),
            change: Some(TextDocumentSyncKind::FULL),
            save: Some(TextDocumentSyncSaveOptions::SaveOptions(SaveOptions {
                include_text: Some(false),
            })),
            ..TextDocumentSyncOptions::default()
        })),
        hover_provider: Some(HoverProviderCapability::Simple(true)),
        code_action_provider: Some(CodeActionProviderCapability::Options(CodeActionOptions {
            code_action_kinds: Some(vec![CodeActionKind::QUICKFIX, CodeActionKind::new(FIX_ALL_KIND)]),
            ..CodeActionOptions::default()
        })),
        ..ServerCapabilities::default()
    }
}

struct Server {
    documents: Documents,
    sender: crossbeam_channel::Sender<Message>,
    shutting_down: bool,
    /// Configuration files we have shown problems on, to clear them once
    /// they are fixed.
    config_uris: HashSet<Uri>,
}

impl Server {
    fn handle(&mut self, message: Message) -> Option<End> {
        match message {
            Message::Request(request) => {
                let response = self.respond(request);
                send(&self.sender, response);
            }
            Message::Notification(notification) if notification.method == "exit" => {
                return Some(if self.shutting_down { End::Clean } else { End::Abrupt });
            }
            Message::Notification(notification) => {
                let method = notification.method.clone();
                if let Err(why) = guarded(|| self.notified(notification)) {
                    eprintln!("marathon-lint lsp: {method} failed: {why}");
                }
            }
            // We send no requests, so no response is awaited.
            Message::Response(_) => {}
        }
        None
    }

    fn respond(&mut self, request: Request) -> Response {
        let id = request.id.clone();
        if self.shutting_down {
            return error(id, ErrorCode::InvalidRequest, "the server is shutting down".to_string());
        }
        let method = request.method.clone();
        match guarded(|| self.answer(request)) {
            Ok(Ok(result)) => Response::new_ok(id, result),
            Ok(Err((code, message))) => error(id, code, message),
            Err(why) => error(id, ErrorCode::InternalError, format!("{method} failed: {why}")),
        }
    }

    fn answer(&mut self, request: Request) -> Result<Value, (ErrorCode, String)> {
        match request.method.as_str() {
            Shutdown::METHOD => {
                self.shutting_down = true;
                Ok(Value::Null)
            }
            HoverRequest::METHOD => {
                let params: lsp_types::HoverParams = params(request.params)?;
                let position = params.text_document_position_params;
                let uri = position.text_document.uri;
                Ok(match self.documents.analysed(&uri) {
                    Some(document) => {
                        serde_json::to_value(hover::hover(document, position.position)).unwrap_or_default()
                    }
                    None => Value::Null,
                })
            }
            CodeActionRequest::METHOD => {
                let params: lsp_types::CodeActionParams = params(request.params)?;
                let uri = params.text_document.uri.clone();
                Ok(match self.documents.analysed(&uri) {
                    Some(document) => {
                        serde_json::to_value(code_actions::code_actions(&uri, document, &params)).unwrap_or_default()
                    }
                    None => Value::Null,
                })
            }
            Initialize::METHOD => Err((
                ErrorCode::InvalidRequest,
                "the server is already initialized".to_string(),
            )),
            other => Err((
                ErrorCode::MethodNotFound,
                format!("marathon-lint does not handle {other}"),
            )),
        }
    }

    fn notified(&mut self, notification: Notification) {
        match notification.method.as_str() {
            DidOpenTextDocument::METHOD => {
                if let Ok(params) =
                    notification.extract::<lsp_types::DidOpenTextDocumentParams>(DidOpenTextDocument::METHOD)
                {
                    let document = params.text_document;
                    self.documents.open(document.uri, document.text, document.version);
                }
            }
            DidChangeTextDocument::METHOD => {
                if let Ok(params) =
                    notification.extract::<lsp_types::DidChangeTextDocumentParams>(DidChangeTextDocument::METHOD)
                {
                    let document = params.text_document;
                    self.documents
                        .change(&document.uri, document.version, params.content_changes);
                }
            }
            DidCloseTextDocument::METHOD => {
                if let Ok(params) =
                    notification.extract::<lsp_types::DidCloseTextDocumentParams>(DidCloseTextDocument::METHOD)
                {
                    let uri = params.text_document.uri;
                    if self.documents.close(&uri) {
                        self.send_diagnostics(uri, Vec::new(), None);
                    }
                }
            }
            DidSaveTextDocument::METHOD => {
                if let Ok(params) =
                    notification.extract::<lsp_types::DidSaveTextDocumentParams>(DidSaveTextDocument::METHOD)
                {
                    // A saved configuration or policy changes how every
                    // document is linted; a saved definition changes nothing.
                    let path = uri::to_path(&params.text_document.uri);
                    let configures = path.is_some_and(|p| {
                        p.file_name().is_some_and(|n| n == crate::config::FILE_NAME)
                            || p.extension().is_some_and(|e| e == "md")
                    });
                    if configures {
                        self.documents.invalidate_all();
                    }
                }
            }
            DidChangeWatchedFiles::METHOD => self.documents.invalidate_all(),
            _ => {} // `initialized`, `$/cancelRequest`, `$/setTrace`, ...: nothing to do
        }
    }

    /// Publish the diagnostics of every document whose current version the
    /// client has not seen, then those of broken configuration files.
    fn publish(&mut self) {
        let mut pending = Vec::new();
        let root = self.documents.root().map(Path::to_path_buf);
        for (uri, document) in self.documents.iter_mut() {
            if document.published || document.is_config() {
                continue;
            }
            document.analyse(uri, root.as_deref());
            let diagnostics = document
                .analysis
                .iter()
                .flat_map(|a| &a.diagnostics)
                .map(|d| to_lsp(d, uri, &document.text, document.index()))
                .collect();
            pending.push((uri.clone(), diagnostics, document.version));
            document.published = true;
        }
        if pending.is_empty() {
            return;
        }
        for (uri, diagnostics, version) in pending {
            self.send_diagnostics(uri, diagnostics, Some(version));
        }
        self.publish_config_problems();
    }

    fn publish_config_problems(&mut self) {
        let encoding = self.documents.encoding();
        let mut problems: HashMap<Uri, Vec<lsp_types::Diagnostic>> = HashMap::new();
        for (_, document) in self.documents.iter_mut() {
            let Some(analysis) = &document.analysis else { continue };
            for report in &analysis.config_reports {
                let Some(uri) = uri::from_path(std::path::Path::new(&report.file.name)) else {
                    continue;
                };
                let text = &report.file.text;
                let index = LineIndex::new(text, encoding);
                problems.entry(uri.clone()).or_insert_with(|| {
                    report
                        .diagnostics
                        .iter()
                        .map(|d| to_lsp(d, &uri, text, &index))
                        .collect()
                });
            }
        }
        let fixed: Vec<Uri> = self
            .config_uris
            .iter()
            .filter(|uri| !problems.contains_key(uri))
            .cloned()
            .collect();
        for uri in fixed {
            self.config_uris.remove(&uri);
            self.send_diagnostics(uri, Vec::new(), None);
        }
        for (uri, diagnostics) in problems {
            self.config_uris.insert(uri.clone());
            self.send_diagnostics(uri, diagnostics, None);
        }
    }

    fn send_diagnostics(&self, uri: Uri, diagnostics: Vec<lsp_types::Diagnostic>, version: Option<i32>) {
        let params = PublishDiagnosticsParams {
            uri,
            diagnostics,
            version,
        };
        send(
            &self.sender,
            Notification::new(PublishDiagnostics::METHOD.to_string(), params),
        );
    }
}

fn params<P: serde::de::DeserializeOwned>(value: Value) -> Result<P, (ErrorCode, String)> {
    serde_json::from_value(value).map_err(|e| (ErrorCode::InvalidParams, format!("invalid parameters: {e}")))
}

fn error(id: RequestId, code: ErrorCode, message: String) -> Response {
    Response::new_err(id, code as i32, message)
}

fn send(sender: &crossbeam_channel::Sender<Message>, message: impl Into<Message>) {
    // A closed channel means the client is gone; the loop ends on its own.
    let _ = sender.send(message.into());
}

/// Run `f`, turning a panic into an error: a bug in one handler must not end
/// the session.
fn guarded<T>(f: impl FnOnce() -> T) -> Result<T, String> {
    std::panic::catch_unwind(std::panic::AssertUnwindSafe(f)).map_err(|panic| crate::cli::panic_message(&panic))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_panicking_handler_becomes_an_error() {
        let result: Result<(), String> = guarded(|| panic!("boom"));
        assert_eq!(result, Err("boom".to_string()));
    }
}
