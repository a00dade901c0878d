//! `Content-Length` framed JSON-RPC over standard input and output.
//!
//! lsp-server's own stdio transport stops reading at the first malformed
//! message, which ends the session; an editor (or a fuzzer) sending one bad
//! frame should not lose its linter. This reader skips a frame whose body is
//! not a JSON-RPC message, resynchronises on the next `Content-Length`
//! header after broken headers, and bounds what one frame can make it hold.
//! What it skips is said on standard error, which editors show in their log.

use std::io::{self, BufRead, Read, Write};
use std::thread;

use crossbeam_channel::{Receiver, Sender};
use lsp_server::{Connection, Message};

/// A header line longer than this is not a header: the stream is garbage.
const MAX_HEADER_LINE: u64 = 8 * 1024;
/// The largest message read. The JSON escaping of a document at the command
/// line's default --max-file-size (64 MiB) fits well within it.
pub const MAX_MESSAGE: usize = 256 * 1024 * 1024;

/// The reader and writer threads, joined once the server is done.
pub struct Threads {
    reader: thread::JoinHandle<()>,
    writer: thread::JoinHandle<()>,
}

impl Threads {
    /// Wait for the writer to flush what the server sent. The reader may be
    /// blocked on a standard input the client keeps open: it is left to end
    /// with the process.
    pub fn join(self) {
        let _ = self.writer.join();
        if self.reader.is_finished() {
            let _ = self.reader.join();
        }
    }
}

pub fn stdio() -> (Connection, Threads) {
    let (to_server, from_client) = crossbeam_channel::unbounded();
    let (to_client, from_server): (Sender<Message>, Receiver<Message>) = crossbeam_channel::unbounded();
    let reader = thread::spawn(move || {
        let stdin = io::stdin();
        read_messages(&mut stdin.lock(), &to_server)
    });
    let writer = thread::spawn(move || {
        let stdout = io::stdout();
        let mut out = stdout.lock();
        for message in from_server {
            if message.write(&mut out).and_then(|_| out.flush()).is_err() {
                // The client is gone; nothing more can be said to it.
                return;
            }
        }
    });
    (
        Connection {
            sender: to_client,
            receiver: from_client,
        },
        Threads { reader, writer },
    )
}

/// Forward every well-formed message until the input ends, `exit` arrives
/// or the server stops listening.
pub fn read_messages(input: &mut impl BufRead, to_server: &Sender<Message>) {
    loop {
        let frame = match read_frame(input) {
            Ok(Frame::Body(body)) => body,
            Ok(Frame::Skipped(why)) => {
                eprintln!("marathon-lint lsp: skipped a malformed message: {why}");
                continue;
            }
            Ok(Frame::End) => return,
            Err(e) => {
                eprintln!("marathon-lint lsp: cannot read standard input: {e}");
                return;
            }
        };
        let message = match serde_json::from_slice::<Message>(&frame) {
            Ok(message) => message,
            Err(e) => {
                eprintln!("marathon-lint lsp: skipped a message that is not JSON-RPC: {e}");
                continue;
            }
        };
        let exit = matches!(&message, Message::Notification(n) if n.method == "exit");
        if to_server.send(message).is_err() || exit {
            return;
        }
    }
}

#[derive(Debug, PartialEq, Eq)]
pub enum Frame {
    Body(Vec<u8>),
    /// A frame that was read past, and why.
    Skipped(String),
    End,
}

/// Read one frame: header lines up to an empty one, then the body.
pub fn read_frame(input: &mut impl BufRead) -> io::Result<Frame> {
    let mut length: Option<usize> = None;
    let mut problem: Option<String> = None;
    let mut headers = 0;
    loop {
        let mut line = Vec::new();
        if input.by_ref().take(MAX_HEADER_LINE).read_until(b'\n', &mut line)? == 0 {
            return Ok(Frame::End);
        }
        if !line.ends_with(b"\n") {
            problem = Some("a header line longer than 8 KiB".to_string());
            continue;
        }
        let mut line = String::from_utf8_lossy(&line)
            .trim_end_matches(['\r', '\n'])
            .to_string();
        // After a broken frame, a header may follow the rest of the bad body
        // on the same line: start again from it.
        if let Some(at) = line.to_ascii_lowercase().find("content-length:").filter(|&at| at > 0) {
            line.drain(..at);
            (length, problem, headers) = (None, None, 0);
        }
        if line.is_empty() {
            if headers == 0 && problem.is_none() {
                continue; // stray blank lines between frames
            }
            break;
        }
        headers += 1;
        let Some((name, value)) = line.split_once(':') else {
            problem = Some(format!("not a header: {:?}", truncated(&line)));
            continue;
        };
        if name.trim().eq_ignore_ascii_case("content-length") {
            match value.trim().parse::<usize>() {
                Ok(n) => length = Some(n),
                Err(_) => problem = Some(format!("a Content-Length that is not a number: {:?}", truncated(value))),
            }
        }
    }
    if let Some(problem) = problem {
        return Ok(Frame::Skipped(problem));
    }
    let Some(length) = length else {
        return Ok(Frame::Skipped("no Content-Length header".to_string()));
    };
    if length > MAX_MESSAGE {
        // Read past it without holding it.
        io::copy(&mut input.by_ref().take(length as u64), &mut io::sink())?;
        return Ok(Frame::Skipped(format!(
            "a message of {length} bytes, over the limit of {MAX_MESSAGE}"
        )));
    }
    let mut body = Vec::new();
    input.by_ref().take(length as u64).read_to_end(&mut body)?;
    if body.len() < length {
        return Ok(Frame::End);
    }
    Ok(Frame::Body(body))
}

fn truncated(text: &str) -> String {
    text.chars().take(80).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frames(input: &str) -> Vec<Frame> {
        let mut reader = io::BufReader::new(input.as_bytes());
        let mut out = Vec::new();
        loop {
            match read_frame(&mut reader).unwrap() {
                Frame::End => return out,
                frame => out.push(frame),
            }
        }
    }

    #[test]
    fn frames_are_split_by_content_length() {
        let got = frames("Content-Length: 2\r\n\r\n{}content-length: 3\r\nContent-Type: x\r\n\r\n[1]");
        assert_eq!(got, vec![Frame::Body(b"{}".to_vec()), Frame::Body(b"[1]".to_vec())]);
    }

    #[test]
    fn broken_headers_are_skipped_and_the_next_frame_is_found() {
        let got = frames("Content-Length: abc\r\n\r\n{garbage}Content-Length: 2\r\n\r\n{}");
        assert!(matches!(&got[0], Frame::Skipped(why) if why.contains("not a number")));
        assert_eq!(got[1], Frame::Body(b"{}".to_vec()));
        let got = frames("hello\r\n\r\nContent-Length: 2\r\n\r\n{}");
        assert!(matches!(&got[0], Frame::Skipped(why) if why.contains("not a header")));
        assert_eq!(got[1], Frame::Body(b"{}".to_vec()));
    }

    #[test]
    fn oversized_and_truncated_frames_hold_nothing() {
        let got = frames(&format!("Content-Length: {}\r\n\r\n{{}}", MAX_MESSAGE + 1));
        assert!(matches!(&got[0], Frame::Skipped(why) if why.contains("over the limit")));
        assert_eq!(frames("Content-Length: 10\r\n\r\n{}"), vec![]);
        let long = "x".repeat(20_000);
        let got = frames(&format!("{long}\r\n\r\nContent-Length: 2\r\n\r\n{{}}"));
        assert_eq!(got.last(), Some(&Frame::Body(b"{}".to_vec())));
    }
}
