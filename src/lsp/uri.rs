//! `file:` URIs to paths and back. lsp-types 0.97 gives URIs as parsed but
//! still percent-encoded text, so decoding and encoding are done here.

use std::path::{Path, PathBuf};

use lsp_types::Uri;

/// The local path of a `file:` URI; `None` for other schemes (an unsaved
/// `untitled:` buffer) and for URIs naming another host.
pub fn to_path(uri: &Uri) -> Option<PathBuf> {
    let rest = uri.as_str().strip_prefix("file://")?;
    let (authority, path) = rest.split_at(rest.find('/')?);
    if !(authority.is_empty() || authority.eq_ignore_ascii_case("localhost")) {
        return None;
    }
    let path = path.split(['?', '#']).next().unwrap_or(path);
    let bytes = percent_decode(path)?;
    #[cfg(unix)]
    {
        use std::os::unix::ffi::OsStringExt;
        Some(PathBuf::from(std::ffi::OsString::from_vec(bytes)))
    }
    #[cfg(not(unix))]
    {
        // `/C:/dir/file.json` on Windows.
        let text = String::from_utf8(bytes).ok()?;
        let text = text
            .strip_prefix('/')
            .filter(|t| t.get(1..2) == Some(":"))
            .unwrap_or(&text);
        Some(PathBuf::from(text))
    }
}

/// The `file:` URI of an absolute path.
pub fn from_path(path: &Path) -> Option<Uri> {
    let absolute = std::path::absolute(path).ok()?;
    let text = absolute.to_str()?.replace('\\', "/");
    let mut uri = String::from("file://");
    if !text.starts_with('/') {
        uri.push('/');
    }
    for b in text.bytes() {
        // RFC 3986 unreserved characters and the path separator stay as they are.
        if b.is_ascii_alphanumeric() || b"-._~/".contains(&b) {
            uri.push(b as char);
        } else {
            uri.push_str(&format!("%{b:02X}"));
        }
    }
    uri.parse().ok()
}

fn percent_decode(text: &str) -> Option<Vec<u8>> {
    let bytes = text.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        if bytes[i] == b'%' {
            let hex = text.get(i + 1..i + 3)?;
            out.push(u8::from_str_radix(hex, 16).ok()?);
            i += 3;
        } else {
            out.push(bytes[i]);
            i += 1;
        }
    }
    Some(out)
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn paths_round_trip_through_uris() {
        let path = Path::new("/tmp/dir with space/é#1.json");
        let uri = from_path(path).unwrap();
        assert_eq!(uri.as_str(), "file:///tmp/dir%20with%20space/%C3%A9%231.json");
        assert_eq!(to_path(&uri).unwrap(), path);
    }

    #[test]
    fn other_schemes_and_hosts_have_no_path() {
        assert_eq!(to_path(&"untitled:Untitled-1".parse().unwrap()), None);
        assert_eq!(to_path(&"file://server/share/a.json".parse().unwrap()), None);
        assert_eq!(
            to_path(&"file://localhost/a.json".parse().unwrap()),
            Some(PathBuf::from("/a.json"))
        );
    }
}
