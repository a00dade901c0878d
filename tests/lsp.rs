//! `marathon-lint lsp` end to end: the real binary, spoken to over its
//! standard input and output as an editor does. Every read has a timeout, so
//! a server that hangs fails the test instead of hanging it.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, ChildStdin, Command, Stdio};
use std::sync::mpsc::{self, Receiver};
use std::time::Duration;

use serde_json::{json, Value};

mod common;

const TIMEOUT: Duration = Duration::from_secs(60);

use common::PINNED_PORT_APP as PINNED;

const RULE: &str = "pinned-port-rolling-upgrade";

struct Server {
    child: Child,
    stdin: Option<ChildStdin>,
    messages: Receiver<Value>,
    /// Notifications that arrived while waiting for something else.
    pending: Vec<Value>,
    next_id: i64,
    stderr: Option<std::thread::JoinHandle<String>>,
}

impl Server {
    fn start(dir: &Path) -> Server {
        let mut child = Command::new(env!("CARGO_BIN_EXE_marathon-lint"))
            .arg("lsp")
            .current_dir(dir)
            .stdin(Stdio::piped())
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .expect("start marathon-lint lsp");
        let stdout = child.stdout.take().unwrap();
        let (to_test, messages) = mpsc::channel();
        std::thread::spawn(move || {
            let mut reader = BufReader::new(stdout);
            while let Some(message) = read_message(&mut reader) {
                if to_test.send(message).is_err() {
                    return;
                }
            }
        });
        let mut stderr = child.stderr.take().unwrap();
        let stderr = std::thread::spawn(move || {
            let mut text = String::new();
            let _ = stderr.read_to_string(&mut text);
            text
        });
        Server {
            stdin: child.stdin.take(),
            child,
            messages,
            pending: Vec::new(),
            next_id: 0,
            stderr: Some(stderr),
        }
    }

    fn initialized(dir: &Path, capabilities: Value) -> (Server, Value) {
        let mut server = Server::start(dir);
        let result = server.request(
            "initialize",
            json!({ "processId": null, "rootUri": null, "capabilities": capabilities }),
        );
        server.notify("initialized", json!({}));
        (server, result)
    }

    fn send_raw(&mut self, bytes: &[u8]) {
        let stdin = self.stdin.as_mut().expect("stdin open");
        stdin
            .write_all(bytes)
            .and_then(|_| stdin.flush())
            .expect("write to the server");
    }

    fn send(&mut self, message: Value) {
        let body = message.to_string();
        self.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }

    fn notify(&mut self, method: &str, params: Value) {
        self.send(json!({ "jsonrpc": "2.0", "method": method, "params": params }));
    }

    /// Send a request and wait for its response (the whole response).
    fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        self.send(json!({ "jsonrpc": "2.0", "id": id, "method": method, "params": params }));
        loop {
            let message = self.next();
            if message["id"] == json!(id) && message.get("method").is_none() {
                return message;
            }
            self.pending.push(message);
        }
    }

    /// A request's result; fails on an error response.
    fn request(&mut self, method: &str, params: Value) -> Value {
        let response = self.call(method, params);
        assert!(response.get("error").is_none(), "{method} failed: {response}");
        response["result"].clone()
    }

    fn next(&mut self) -> Value {
        self.messages
            .recv_timeout(TIMEOUT)
            .unwrap_or_else(|_| panic!("no message from the server within {TIMEOUT:?}"))
    }

    /// The next diagnostics published for `uri`.
    fn diagnostics(&mut self, uri: &str) -> Value {
        let is_it = |m: &Value| m["method"] == "textDocument/publishDiagnostics" && m["params"]["uri"] == uri;
        if let Some(i) = self.pending.iter().position(is_it) {
            return self.pending.remove(i)["params"].clone();
        }
        loop {
            let message = self.next();
            if is_it(&message) {
                return message["params"].clone();
            }
            self.pending.push(message);
        }
    }

    /// The hover at a position (`null` when there is none).
    fn hover(&mut self, uri: &str, position: Value) -> Value {
        self.request(
            "textDocument/hover",
            json!({ "textDocument": { "uri": uri }, "position": position }),
        )
    }

    fn open(&mut self, uri: &str, text: &str) {
        self.notify(
            "textDocument/didOpen",
            json!({ "textDocument": { "uri": uri, "languageId": "json", "version": 1, "text": text } }),
        );
    }

    fn change(&mut self, uri: &str, version: i32, text: &str) {
        self.notify(
            "textDocument/didChange",
            json!({ "textDocument": { "uri": uri, "version": version }, "contentChanges": [{ "text": text }] }),
        );
    }

    /// `shutdown` then `exit`: the exit status, and what went to stderr.
    fn shut_down(mut self) -> (i32, String) {
        assert_eq!(self.request("shutdown", Value::Null), Value::Null);
        self.notify("exit", Value::Null);
        self.wait()
    }

    fn wait(mut self) -> (i32, String) {
        drop(self.stdin.take());
        let deadline = std::time::Instant::now() + TIMEOUT;
        loop {
            if let Some(status) = self.child.try_wait().unwrap() {
                let stderr = self.stderr.take().unwrap().join().unwrap();
                return (status.code().expect("exited, not killed"), stderr);
            }
            if std::time::Instant::now() > deadline {
                let _ = self.child.kill();
                panic!("the server did not exit");
            }
            std::thread::sleep(Duration::from_millis(20));
        }
    }
}

impl Drop for Server {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn read_message(reader: &mut impl BufRead) -> Option<Value> {
    let mut length = None;
    loop {
        let mut line = String::new();
        if reader.read_line(&mut line).ok()? == 0 {
            return None;
        }
        let line = line.trim_end();
        if line.is_empty() {
            break;
        }
        if let Some(value) = line.strip_prefix("Content-Length: ") {
            length = value.parse::<usize>().ok();
        }
    }
    let mut body = vec![0; length?];
    reader.read_exact(&mut body).ok()?;
    serde_json::from_slice(&body).ok()
}

/// A directory of its own (a repository root, so no configuration above it
/// is found).
fn workspace() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join(".git")).unwrap();
    dir
}

fn file_uri(path: &Path) -> String {
    format!("file://{}", path.display())
}

fn doc_uri(dir: &Path, name: &str) -> (PathBuf, String) {
    let path = dir.join(name);
    let uri = file_uri(&path);
    (path, uri)
}

/// Where a byte offset is, as an LSP position in UTF-16 code units.
fn utf16_position(text: &str, offset: usize) -> Value {
    let line = text[..offset].matches('\n').count();
    let start = text[..offset].rfind('\n').map_or(0, |i| i + 1);
    json!({ "line": line, "character": text[start..offset].encode_utf16().count() })
}

fn codes(diagnostics: &Value) -> Vec<String> {
    diagnostics["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["code"].as_str().unwrap().to_string())
        .collect()
}

/// What `marathon-lint --fix` writes for a file holding `text`.
fn cli_fixed(text: &str) -> String {
    let dir = workspace();
    let file = dir.path().join("web.json");
    std::fs::write(&file, text).unwrap();
    let cli = Command::new(env!("CARGO_BIN_EXE_marathon-lint"))
        .args(["--fix", "web.json"])
        .current_dir(dir.path())
        .output()
        .unwrap();
    assert!(cli.status.success(), "{cli:?}");
    std::fs::read_to_string(&file).unwrap()
}

/// Apply LSP text edits (UTF-16 positions) to a text.
fn apply_edits(text: &str, edits: &Value) -> String {
    let offset = |position: &Value| {
        let line = position["line"].as_u64().unwrap() as usize;
        let character = position["character"].as_u64().unwrap() as usize;
        let start: usize = text.split_inclusive('\n').take(line).map(str::len).sum();
        let mut units = 0;
        for (i, c) in text[start..].char_indices() {
            if units >= character || c == '\n' {
                return start + i;
            }
            units += c.len_utf16();
        }
        text.len()
    };
    let mut edits: Vec<(usize, usize, String)> = edits
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                offset(&e["range"]["start"]),
                offset(&e["range"]["end"]),
                e["newText"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    edits.sort_by_key(|e| std::cmp::Reverse(e.0));
    let mut out = text.to_string();
    for (start, end, new_text) in edits {
        out.replace_range(start..end, &new_text);
    }
    out
}

#[test]
fn diagnostics_hover_fixes_and_close_follow_the_open_document() {
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let (mut server, init) = Server::initialized(dir.path(), json!({}));
    let capabilities = &init["capabilities"];
    assert_eq!(
        capabilities["positionEncoding"], "utf-16",
        "the default when the client offers none"
    );
    assert_eq!(capabilities["textDocumentSync"]["change"], 1, "full sync");
    assert_eq!(capabilities["hoverProvider"], true);

    // Not saved anywhere: the server lints the text it is sent.
    server.open(&uri, PINNED);
    let published = server.diagnostics(&uri);
    assert_eq!(published["version"], 1);
    assert_eq!(codes(&published), vec![RULE], "{published}");
    let diagnostic = &published["diagnostics"][0];
    let port = PINNED.find("31080").unwrap();
    assert_eq!(diagnostic["range"]["start"], utf16_position(PINNED, port));
    assert_eq!(diagnostic["range"]["end"], utf16_position(PINNED, port + 5));
    assert_eq!(diagnostic["range"]["start"], json!({ "line": 10, "character": 41 }));
    assert_eq!(diagnostic["severity"], 1);
    assert_eq!(diagnostic["source"], "marathon-lint");

    // Hover inside the diagnostic: the rule's documentation.
    let hover = server.hover(&uri, utf16_position(PINNED, port + 2));
    let doc = hover["contents"]["value"].as_str().unwrap();
    assert!(doc.contains("# pinned-port-rolling-upgrade"), "{doc}");
    assert!(doc.contains("Only one process per host can hold a given port"), "{doc}");
    assert_eq!(hover["contents"]["kind"], "markdown");
    // Elsewhere: nothing.
    let nothing = server.hover(&uri, json!({ "line": 1, "character": 3 }));
    assert_eq!(nothing, Value::Null);

    // The quick fix: minimal edits that remove the finding.
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": diagnostic["range"],
            "context": { "diagnostics": [diagnostic] }
        }),
    );
    let actions = actions.as_array().unwrap();
    let quick_fix = actions.iter().find(|a| a["kind"] == "quickfix").expect("a quick fix");
    assert_eq!(quick_fix["isPreferred"], true);
    assert!(!quick_fix["title"].as_str().unwrap().contains("(unsafe)"));
    assert_eq!(quick_fix["diagnostics"][0]["code"], RULE);
    let edits = &quick_fix["edit"]["changes"][&uri];
    assert!(
        edits
            .as_array()
            .unwrap()
            .iter()
            .all(|e| e["range"]["start"]["line"] != 0),
        "minimal edits, not the whole file: {edits}"
    );
    let fixed = apply_edits(PINNED, edits);
    assert!(
        fixed.starts_with(&PINNED[..PINNED.find("\"healthChecks\"").unwrap()]),
        "the rest is kept:\n{fixed}"
    );
    server.change(&uri, 2, &fixed);
    let published = server.diagnostics(&uri);
    assert_eq!(published["version"], 2);
    assert!(codes(&published).is_empty(), "{published}\n{fixed}");

    // Fix all: the command line's --fix on the unsaved text.
    server.change(&uri, 3, PINNED);
    assert_eq!(codes(&server.diagnostics(&uri)), vec![RULE]);
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [], "only": ["source.fixAll"] }
        }),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "only what was asked for: {actions:?}");
    assert_eq!(actions[0]["kind"], "source.fixAll.marathon-lint");
    assert_eq!(actions[0]["title"], "Fix all marathon-lint safe fixes in file");
    let all_fixed = apply_edits(PINNED, &actions[0]["edit"]["changes"][&uri]);
    assert_eq!(all_fixed, cli_fixed(PINNED), "the same result as --fix");
    server.change(&uri, 4, &all_fixed);
    assert!(codes(&server.diagnostics(&uri)).is_empty());

    server.notify("textDocument/didClose", json!({ "textDocument": { "uri": uri } }));
    let closed = server.diagnostics(&uri);
    assert_eq!(closed["diagnostics"], json!([]));

    let (status, stderr) = server.shut_down();
    assert_eq!(status, 0, "{stderr}");
}

/// One line with "é" and an emoji before the finding.
fn non_ascii_document() -> (String, usize) {
    let text = PINNED.replace(
        "{ \"containerPort\": 80,",
        "{ \"labels\": { \"note\": \"café 😀\" }, \"containerPort\": 80,",
    );
    let port = text.find("31080").unwrap();
    (text, port)
}

#[test]
fn ranges_count_utf16_code_units_after_non_ascii_text() {
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let (mut server, init) = Server::initialized(dir.path(), json!({ "general": { "positionEncodings": ["utf-16"] } }));
    assert_eq!(init["capabilities"]["positionEncoding"], "utf-16");
    let (text, port) = non_ascii_document();
    server.open(&uri, &text);
    let published = server.diagnostics(&uri);
    assert_eq!(codes(&published), vec![RULE]);
    let line = &text[text[..port].rfind('\n').unwrap() + 1..port];
    let character = line.encode_utf16().count();
    assert_eq!(character, line.chars().count() + 1, "the emoji is two UTF-16 units");
    assert_eq!(
        published["diagnostics"][0]["range"],
        json!({ "start": { "line": 10, "character": character }, "end": { "line": 10, "character": character + 5 } })
    );
    // Hover at the same units finds it.
    let hover = server.hover(&uri, json!({ "line": 10, "character": character + 1 }));
    assert!(hover["contents"]["value"].as_str().unwrap().contains(RULE));
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn files_that_are_not_marathon_definitions_get_no_diagnostics() {
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "package.json");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(
        &uri,
        r#"{ "name": "web", "version": "1.0.0", "dependencies": { "left-pad": "1" } }"#,
    );
    assert_eq!(server.diagnostics(&uri)["diagnostics"], json!([]));
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn the_closest_configuration_and_suppression_labels_apply_as_on_the_command_line() {
    let dir = workspace();
    std::fs::create_dir(dir.path().join("edge")).unwrap();
    std::fs::write(
        dir.path().join("edge/marathon-lint.toml"),
        "[rules]\npinned-port-rolling-upgrade = \"warning\"\n",
    )
    .unwrap();
    let (_, edge) = doc_uri(dir.path(), "edge/web.json");
    let (_, top) = doc_uri(dir.path(), "web.json");
    let (_, labelled) = doc_uri(dir.path(), "labelled.json");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));

    server.open(&edge, PINNED);
    let published = server.diagnostics(&edge);
    assert_eq!(codes(&published), vec![RULE]);
    assert_eq!(
        published["diagnostics"][0]["severity"], 2,
        "the level edge/marathon-lint.toml sets"
    );
    server.open(&top, PINNED);
    assert_eq!(
        server.diagnostics(&top)["diagnostics"][0]["severity"],
        1,
        "the default level"
    );

    let text = PINNED.replace(
        "\"instances\": 2,",
        "\"instances\": 2,\n  \"labels\": { \"marathon-lint.ignore\": \"pinned-port-rolling-upgrade: one instance per edge host\" },",
    );
    server.open(&labelled, &text);
    assert!(codes(&server.diagnostics(&labelled)).is_empty(), "suppressed");
    // Hover on the rule id in the label: its documentation.
    let at = text.find("rolling-upgrade:").unwrap();
    let hover = server.hover(&labelled, utf16_position(&text, at));
    assert!(hover["contents"]["value"]
        .as_str()
        .unwrap()
        .contains("# pinned-port-rolling-upgrade"));
    let start = text.find("pinned-port-rolling-upgrade:").unwrap();
    assert_eq!(hover["range"]["start"], utf16_position(&text, start));
    // A suppression that silences nothing is reported, as by a run.
    let unused = text.replace("\"hostPort\": 31080", "\"hostPort\": 0");
    server.change(&labelled, 2, &unused);
    assert_eq!(codes(&server.diagnostics(&labelled)), vec!["unused-suppression"]);
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn a_broken_configuration_is_one_diagnostic_on_the_configuration_file() {
    let dir = workspace();
    let config = dir.path().join("marathon-lint.toml");
    std::fs::write(
        &config,
        "marathon-version = \"1.5\"\nrules = { no-such-rule = \"off\" }\n",
    )
    .unwrap();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, PINNED);
    let config_uri = file_uri(&config);
    let on_config = server.diagnostics(&config_uri);
    assert_eq!(codes(&on_config), vec!["config-error"], "{on_config}");
    assert!(on_config["diagnostics"][0]["message"]
        .as_str()
        .unwrap()
        .contains("no-such-rule"));
    assert_eq!(on_config["diagnostics"][0]["range"]["start"]["line"], 1);
    assert_eq!(
        server.diagnostics(&uri)["diagnostics"],
        json!([]),
        "nothing is linted under it"
    );

    // Fixed and saved: the configuration's problem goes, the document is linted.
    std::fs::write(&config, "marathon-version = \"1.5\"\n").unwrap();
    server.notify("textDocument/didSave", json!({ "textDocument": { "uri": config_uri } }));
    assert_eq!(codes(&server.diagnostics(&uri)), vec![RULE]);
    assert_eq!(server.diagnostics(&config_uri)["diagnostics"], json!([]));
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn unknown_documents_and_methods_are_answered_not_fatal() {
    let dir = workspace();
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    let never_opened = file_uri(&dir.path().join("nowhere.json"));
    let position = json!({ "line": 0, "character": 0 });
    let hover = server.hover(&never_opened, position.clone());
    assert_eq!(hover, Value::Null);
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": never_opened },
            "range": { "start": position, "end": position },
            "context": { "diagnostics": [] }
        }),
    );
    assert_eq!(actions, Value::Null);
    let unknown = server.call("textDocument/definition", json!({}));
    assert_eq!(unknown["error"]["code"], -32601, "MethodNotFound: {unknown}");
    let again = server.call("initialize", json!({ "capabilities": {} }));
    assert_eq!(again["error"]["code"], -32600, "InvalidRequest: {again}");
    let invalid = server.call("textDocument/hover", json!({ "nonsense": true }));
    assert_eq!(invalid["error"]["code"], -32602, "InvalidParams: {invalid}");
    // Changes to and closing of unknown documents are ignored.
    server.change(&never_opened, 3, "{}");
    server.notify(
        "textDocument/didClose",
        json!({ "textDocument": { "uri": never_opened } }),
    );
    server.notify("$/unknownNotification", json!({}));
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn malformed_messages_are_skipped_and_the_server_keeps_serving() {
    let dir = workspace();
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    // A body that is not JSON, one that is JSON but not JSON-RPC, a
    // Content-Length that is not a number followed by junk, a header line
    // that is not a header, and a lying huge Content-Length is not sent (it
    // would swallow what follows, as the protocol says).
    server.send_raw(b"Content-Length: 9\r\n\r\n{garbage!");
    server.send_raw(b"Content-Length: 2\r\n\r\n[]");
    server.send_raw(b"Content-Length: twelve\r\n\r\n{\"jsonrpc\": 1}");
    server.send_raw(b"\x00\xffnot a header at all\r\n\r\n");
    let (_, uri) = doc_uri(dir.path(), "web.json");
    server.open(&uri, PINNED);
    assert_eq!(codes(&server.diagnostics(&uri)), vec![RULE], "still serving");
    let (status, stderr) = server.shut_down();
    assert_eq!(status, 0);
    assert!(stderr.contains("skipped a malformed message"), "{stderr}");
    assert!(!stderr.contains("panicked"), "{stderr}");
}

#[test]
fn input_ending_without_shutdown_exits_1_quietly() {
    let dir = workspace();
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.send_raw(b"Content-Length: 100\r\n\r\n{\"trunc");
    let (status, stderr) = server.wait();
    assert_eq!(status, 1, "the protocol's status for an exit without shutdown");
    assert!(
        !stderr.contains("panicked") && !stderr.contains("RUST_BACKTRACE"),
        "{stderr}"
    );
}

#[test]
fn a_storm_of_changes_ends_with_the_diagnostics_of_the_last_version() {
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let clean = PINNED.replace("\"hostPort\": 31080", "\"hostPort\": 0");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, &clean);
    assert!(codes(&server.diagnostics(&uri)).is_empty());
    let last = 201;
    for version in 2..=last {
        let text = if version % 2 == 1 { PINNED } else { clean.as_str() };
        server.change(&uri, version, text);
    }
    // Wait for the last version's diagnostics; a request answered after it
    // flushes anything still queued, which must be no older publication.
    let published = loop {
        let published = server.diagnostics(&uri);
        if published["version"] == last {
            break published;
        }
    };
    assert_eq!(codes(&published), vec![RULE]);
    server.hover(&uri, json!({ "line": 0, "character": 0 }));
    let later: Vec<&Value> = server
        .pending
        .iter()
        .filter(|m| m["method"] == "textDocument/publishDiagnostics")
        .collect();
    assert!(later.is_empty(), "nothing published after the last version: {later:?}");
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn a_ten_megabyte_document_is_linted_and_then_edited_50_times() {
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "big.json");
    let filler = "x".repeat(10 * 1024 * 1024);
    let text = PINNED.replace(
        "\"instances\": 2,",
        &format!("\"instances\": 2,\n  \"env\": {{ \"FILLER\": \"{filler}\" }},"),
    );
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, &text);
    let published = server.diagnostics(&uri);
    assert_eq!(codes(&published), vec![RULE]);
    assert_eq!(published["diagnostics"][0]["range"]["start"]["line"], 11);

    // Then 50 edits of it, as fast as they can be sent: the server keeps up
    // (each edit once held the text's line index, built for nothing) and
    // ends on the last one.
    let clean = text.replace("\"hostPort\": 31080", "\"hostPort\": 0");
    let last = 51;
    // Escaped once: the test's own JSON encoding would be the slow part.
    let (pinned, clean) = (Value::from(text).to_string(), Value::from(clean).to_string());
    for version in 2..=last {
        let body = format!(
            r#"{{"jsonrpc":"2.0","method":"textDocument/didChange","params":{{"textDocument":{{"uri":"{uri}","version":{version}}},"contentChanges":[{{"text":{}}}]}}}}"#,
            if version % 2 == 1 { &pinned } else { &clean }
        );
        server.send_raw(format!("Content-Length: {}\r\n\r\n{body}", body.len()).as_bytes());
    }
    let published = loop {
        let published = server.diagnostics(&uri);
        if published["version"] == last {
            break published;
        }
    };
    assert_eq!(codes(&published), vec![RULE]);
    let hover = server.hover(&uri, published["diagnostics"][0]["range"]["start"].clone());
    assert!(hover["contents"]["value"].as_str().unwrap().contains(RULE));
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn unsafe_fixes_are_offered_titled_and_not_preferred() {
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let text = PINNED
        .replace("\"hostPort\": 31080", "\"hostPort\": 0")
        .replace("\"instances\": 2,", "\"instances\": 2,\n  \"contraints\": [],");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, &text);
    let published = server.diagnostics(&uri);
    assert_eq!(codes(&published), vec!["unknown-field"]);
    let diagnostic = &published["diagnostics"][0];
    let actions = server.request(
        "textDocument/codeAction",
        json!({ "textDocument": { "uri": uri }, "range": diagnostic["range"], "context": { "diagnostics": [diagnostic] } }),
    );
    let actions = actions.as_array().unwrap();
    assert_eq!(actions.len(), 1, "no fix-all without a safe fix: {actions:?}");
    assert!(
        actions[0]["title"].as_str().unwrap().ends_with("(unsafe)"),
        "{}",
        actions[0]
    );
    assert_eq!(actions[0]["isPreferred"], false);
    let fixed = apply_edits(&text, &actions[0]["edit"]["changes"][&uri]);
    assert_eq!(fixed, text.replace("\"contraints\"", "\"constraints\""));
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn unsaved_percent_encoded_and_windows_uris_are_linted() {
    let dir = workspace();
    // A configuration in a directory whose URI is percent-encoded: found
    // only if the path is decoded.
    let odd = dir.path().join("dir with space/é");
    std::fs::create_dir_all(&odd).unwrap();
    std::fs::write(
        odd.join("marathon-lint.toml"),
        "[rules]\npinned-port-rolling-upgrade = \"info\"\n",
    )
    .unwrap();
    let encoded = format!("file://{}/dir%20with%20space/%C3%A9/web.json", dir.path().display());
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&encoded, PINNED);
    let published = server.diagnostics(&encoded);
    assert_eq!(codes(&published), vec![RULE]);
    assert_eq!(
        published["diagnostics"][0]["severity"], 3,
        "the level of é/marathon-lint.toml"
    );
    for uri in [
        "untitled:Untitled-1",
        "file:///C:/Users/ops/web.json",
        "file:///c%3A/ops/web.json",
    ] {
        server.open(uri, PINNED);
        let published = server.diagnostics(uri);
        assert_eq!(codes(&published), vec![RULE], "{uri}");
        assert_eq!(published["diagnostics"][0]["severity"], 1, "{uri}");
    }
    assert_eq!(server.shut_down().0, 0);
}

/// A byte-order mark, CRLF line endings, and on the finding's line a tab,
/// "é" and an emoji before it.
fn awkward_document() -> (String, usize) {
    let text = format!(
        "\u{feff}{}",
        PINNED
            .replace(
                "      { \"containerPort\": 80,",
                "\t{ \"labels\": { \"note\": \"é😀\" }, \"containerPort\": 80,"
            )
            .replace('\n', "\r\n")
    );
    let port = text.find("31080").unwrap();
    (text, port)
}

#[test]
fn positions_after_a_bom_crlf_tabs_and_emoji_in_each_encoding() {
    let (text, port) = awkward_document();
    let line_start = text[..port].rfind('\n').unwrap() + 1;
    let before = &text[line_start..port];
    for (encoding, character) in [
        ("utf-8", before.len()),
        ("utf-16", before.encode_utf16().count()),
        ("utf-32", before.chars().count()),
    ] {
        let dir = workspace();
        let (_, uri) = doc_uri(dir.path(), "web.json");
        let (mut server, init) =
            Server::initialized(dir.path(), json!({ "general": { "positionEncodings": [encoding] } }));
        assert_eq!(init["capabilities"]["positionEncoding"], encoding);
        server.open(&uri, &text);
        let published = server.diagnostics(&uri);
        assert_eq!(
            published["diagnostics"][0]["range"],
            json!({ "start": { "line": 10, "character": character }, "end": { "line": 10, "character": character + 5 } }),
            "{encoding}"
        );
        assert_eq!(server.shut_down().0, 0);
    }
    // On the first line, the byte-order mark is one UTF-16 unit.
    let one_line = format!("\u{feff}{}", PINNED.replace('\n', " "));
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, &one_line);
    let published = server.diagnostics(&uri);
    let start = &published["diagnostics"][0]["range"]["start"];
    assert_eq!(*start, utf16_position(&one_line, one_line.find("31080").unwrap()));
    assert_eq!(start["character"], PINNED.find("31080").unwrap() + 1);
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn fixes_of_a_document_with_a_bom_and_crlf_keep_both() {
    let (text, _) = awkward_document();
    let text = text.replace("\"instances\": 2,", "\"instances\": 2,\r\n  \"cpus\": 1,");
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, &text);
    let published = server.diagnostics(&uri);
    assert_eq!(codes(&published), vec!["json-duplicate-key", RULE]);
    // A range over both findings: a fix for each.
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 20, "character": 0 } },
            "context": { "diagnostics": published["diagnostics"] }
        }),
    );
    let actions = actions.as_array().unwrap();
    let quick_fixes: Vec<&Value> = actions.iter().filter(|a| a["kind"] == "quickfix").collect();
    assert_eq!(quick_fixes.len(), 2, "{actions:?}");
    for (i, fix) in quick_fixes.iter().enumerate() {
        let fixed = apply_edits(&text, &fix["edit"]["changes"][&uri]);
        assert!(fixed.starts_with('\u{feff}'));
        assert!(!fixed.replace("\r\n", "").contains('\n'), "CRLF kept:\n{fixed}");
        server.change(&uri, 2 + i as i32, &fixed);
        assert_eq!(codes(&server.diagnostics(&uri)).len(), 1, "one finding fixed");
    }
    server.change(&uri, 9, &text);
    server.diagnostics(&uri);
    // Fix all is byte for byte what --fix writes.
    let actions = server.request(
        "textDocument/codeAction",
        json!({
            "textDocument": { "uri": uri },
            "range": { "start": { "line": 0, "character": 0 }, "end": { "line": 0, "character": 0 } },
            "context": { "diagnostics": [], "only": ["source.fixAll"] }
        }),
    );
    let all_fixed = apply_edits(&text, &actions[0]["edit"]["changes"][&uri]);
    assert_eq!(all_fixed, cli_fixed(&text));
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn ranged_changes_bad_notifications_and_the_protocol_end() {
    let dir = workspace();
    let (_, uri) = doc_uri(dir.path(), "web.json");
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, PINNED);
    assert_eq!(codes(&server.diagnostics(&uri)), vec![RULE]);
    // Full sync is advertised, but a ranged change is applied all the same.
    let port = utf16_position(PINNED, PINNED.find("31080").unwrap());
    let end = json!({ "line": port["line"], "character": port["character"].as_u64().unwrap() + 5 });
    server.notify(
        "textDocument/didChange",
        json!({
            "textDocument": { "uri": uri, "version": 2 },
            "contentChanges": [{ "range": { "start": port, "end": end }, "text": "0" }]
        }),
    );
    let published = server.diagnostics(&uri);
    assert_eq!((published["version"].clone(), codes(&published)), (json!(2), vec![]));
    // Notifications whose parameters are wrong are dropped.
    server.notify("textDocument/didOpen", json!({ "textDocument": 5 }));
    server.notify(
        "textDocument/didChange",
        json!({ "textDocument": { "uri": uri }, "contentChanges": "x" }),
    );
    server.change(&uri, 3, PINNED);
    assert_eq!(codes(&server.diagnostics(&uri)), vec![RULE], "still serving");
    // After shutdown, requests are refused; then exit ends with 0.
    assert_eq!(server.request("shutdown", Value::Null), Value::Null);
    let refused = server.call(
        "textDocument/hover",
        json!({ "textDocument": { "uri": uri }, "position": port }),
    );
    assert_eq!(refused["error"]["code"], -32600, "InvalidRequest: {refused}");
    server.notify("exit", Value::Null);
    assert_eq!(server.wait().0, 0);

    // Exit without shutdown: status 1.
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.notify("exit", Value::Null);
    assert_eq!(server.wait().0, 1);
}

#[test]
fn an_untitled_buffer_is_configured_as_a_file_in_the_workspace_root() {
    // As standard input is configured as a file in the current directory.
    let dir = workspace();
    std::fs::write(
        dir.path().join("marathon-lint.toml"),
        "[rules]\npinned-port-rolling-upgrade = \"info\"\n",
    )
    .unwrap();
    let root = file_uri(dir.path());
    let outside = workspace();
    for (params, severity) in [
        (json!({ "rootUri": root }), 3),
        (json!({ "workspaceFolders": [{ "uri": root, "name": "ops" }] }), 3),
        (json!({}), 1),
    ] {
        let mut server = Server::start(outside.path());
        let mut init = json!({ "processId": null, "capabilities": {} });
        init.as_object_mut()
            .unwrap()
            .extend(params.as_object().unwrap().clone());
        server.request("initialize", init);
        server.notify("initialized", json!({}));
        server.open("untitled:Untitled-1", PINNED);
        let published = server.diagnostics("untitled:Untitled-1");
        assert_eq!(published["diagnostics"][0]["severity"], severity, "{params}");
        assert_eq!(server.shut_down().0, 0);
    }
}

#[test]
fn the_editor_judges_placement_against_the_same_cluster_as_a_run() {
    let dir = workspace();
    std::fs::write(
        dir.path().join("marathon-lint.toml"),
        "marathon-version = \"1.8\"\ncluster = [\"exports/state.json\"]\n[marathon]\nmesos-role = \"slave_public\"\ndefault-accepted-resource-roles = [\"*\"]\n",
    )
    .unwrap();
    std::fs::create_dir(dir.path().join("exports")).unwrap();
    std::fs::write(
        dir.path().join("exports/state.json"),
        r#"{"slaves": [{"id": "S0", "hostname": "p0", "resources": {"cpus": 4, "mem": 8192, "ports": "[80-80]"},
                         "reserved_resources": {"slave_public": {"cpus": 4, "mem": 8192, "ports": "[80-80]"}},
                         "unreserved_resources": {"cpus": 0, "mem": 0}}]}"#,
    )
    .unwrap();
    let edge = PINNED.replace("\"hostPort\": 31080", "\"hostPort\": 80");
    let (path, uri) = doc_uri(dir.path(), "edge.json");
    std::fs::write(&path, &edge).unwrap();
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, &edge);
    let published = server.diagnostics(&uri);
    assert!(
        codes(&published).contains(&"host-port-outside-agent-ranges".to_string()),
        "{published}"
    );
    let message = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .find(|d| d["code"] == "host-port-outside-agent-ranges")
        .unwrap()["message"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(message.contains("in role `slave_public`"), "{message}");
    // The command line says the same of the same file.
    let run = common::run_in(dir.path(), &["--format", "json", "edge.json"], None);
    let cli: Vec<String> = run.json()["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|d| d["rule"] == "host-port-outside-agent-ranges")
        .map(|d| d["message"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(cli.len(), 1);
    assert!(message.starts_with(&cli[0]), "{message}\n{}", cli[0]);
    assert_eq!(server.shut_down().0, 0);
}

#[test]
fn baselined_findings_are_hints_in_the_editor() {
    let dir = workspace();
    let (path, uri) = doc_uri(dir.path(), "web.json");
    let text = "{\"id\": \"/web\", \"cmd\": \"./web\", \"contraints\": []}";
    std::fs::write(&path, text).unwrap();
    let written = common::run_in(dir.path(), &["--write-baseline", "baseline.json", "web.json"], None);
    assert_eq!(written.code, 0, "{}", written.stderr);
    std::fs::write(dir.path().join("marathon-lint.toml"), "baseline = \"baseline.json\"\n").unwrap();
    let (mut server, _) = Server::initialized(dir.path(), json!({}));
    server.open(&uri, text);
    let published = server.diagnostics(&uri);
    let found = &published["diagnostics"][0];
    assert_eq!(found["code"], "unknown-field", "{published}");
    assert_eq!(found["severity"], 4, "a hint: {published}");
    assert!(found["message"].as_str().unwrap().contains("in the baseline"));
    // A new finding in the same document is a warning as usual.
    let edited = text.replace("\"contraints\": []", "\"contraints\": [], \"healtChecks\": []");
    server.change(&uri, 2, &edited);
    let published = server.diagnostics(&uri);
    let severities: Vec<i64> = published["diagnostics"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["severity"].as_i64().unwrap())
        .collect();
    assert_eq!(severities, vec![4, 2], "{published}");
    assert_eq!(server.shut_down().0, 0);
}
