//! What `new java.net.URI(text)` and `new java.net.URL(text)` reject, as
//! Marathon uses them to check fetched artifacts. The URI grammar is RFC 2396
//! with the JDK's deviations (empty authority before a path, unescaped
//! non-ASCII characters that are neither spaces nor controls).

const MARK: &str = "-_.!~*'()";
const RESERVED: &str = ";/?:@&=+$,[]";

/// A character class of the JDK parser; escapes (`%XX`) and visible
/// non-ASCII characters are allowed in every class used here except the
/// scheme.
#[derive(Clone, Copy)]
enum Class {
    /// Query, fragment and opaque part.
    Uric,
    Path,
    RegName,
    Server,
}

fn unreserved(c: char) -> bool {
    c.is_ascii_alphanumeric() || MARK.contains(c)
}

fn allowed(c: char, class: Class) -> bool {
    match class {
        Class::Uric => unreserved(c) || RESERVED.contains(c),
        Class::Path => unreserved(c) || ":@&=+$,;/".contains(c),
        Class::RegName => unreserved(c) || "$,;:@&=+".contains(c),
        Class::Server => unreserved(c) || ";:&=+$,.@[]".contains(c),
    }
}

/// Why the JDK would reject the text at `index`.
pub(super) struct UriError {
    pub reason: String,
    pub index: usize,
}

fn fail(reason: &str, index: usize) -> Result<usize, UriError> {
    Err(UriError {
        reason: reason.to_string(),
        index,
    })
}

struct Parser {
    chars: Vec<char>,
}

impl Parser {
    fn at(&self, p: usize, c: char) -> bool {
        self.chars.get(p) == Some(&c)
    }

    /// First index in `[start, end)` holding one of `stops`, or `end`.
    fn find(&self, start: usize, end: usize, stops: &str) -> usize {
        (start..end).find(|&i| stops.contains(self.chars[i])).unwrap_or(end)
    }

    /// How far the characters of `class` reach from `start`; a `%` not
    /// followed by two hex digits is an error wherever it stands.
    fn scan(&self, start: usize, end: usize, class: Class) -> Result<usize, UriError> {
        let mut p = start;
        while p < end {
            let c = self.chars[p];
            if c != '\0' && c.is_ascii() && allowed(c, class) {
                p += 1;
            } else if c == '%' {
                let hex = |i: usize| i < end && self.chars[i].is_ascii_hexdigit();
                if hex(p + 1) && hex(p + 2) {
                    p += 3;
                } else {
                    return fail("Malformed escape pair", p);
                }
            } else if (c as u32) > 128 && !c.is_whitespace() && !c.is_control() {
                p += 1;
            } else {
                break;
            }
        }
        Ok(p)
    }

    fn check(&self, start: usize, end: usize, class: Class, what: &str) -> Result<usize, UriError> {
        let p = self.scan(start, end, class)?;
        if p < end {
            return fail(&format!("Illegal character in {what}"), p);
        }
        Ok(end)
    }

    fn parse(&self) -> Result<usize, UriError> {
        let n = self.chars.len();
        // A scheme is whatever precedes the first `:`, unless `/`, `?` or
        // `#` comes first.
        let colon = (0..n)
            .take_while(|&i| !"/?#".contains(self.chars[i]))
            .find(|&i| self.chars[i] == ':');
        let mut p = match colon {
            Some(0) => return fail("Expected scheme name", 0),
            Some(colon) => {
                if !self.chars[0].is_ascii_alphabetic() {
                    return fail("Illegal character in scheme name", 0);
                }
                if let Some(i) = (1..colon).find(|&i| {
                    let c = self.chars[i];
                    !(c.is_ascii_alphanumeric() || "+-.".contains(c))
                }) {
                    return fail("Illegal character in scheme name", i);
                }
                let p = colon + 1;
                if self.at(p, '/') {
                    self.hierarchical(p)?
                } else {
                    let q = self.find(p, n, "#");
                    if q <= p {
                        return fail("Expected scheme-specific part", p);
                    }
                    self.check(p, q, Class::Uric, "opaque part")?
                }
            }
            None => self.hierarchical(0)?,
        };
        if self.at(p, '#') {
            p = self.check(p + 1, n, Class::Uric, "fragment")?;
        }
        Ok(p)
    }

    fn hierarchical(&self, start: usize) -> Result<usize, UriError> {
        let n = self.chars.len();
        let mut p = start;
        if self.at(p, '/') && self.at(p + 1, '/') {
            p += 2;
            let q = self.find(p, n, "/?#");
            if q > p {
                p = self.authority(p, q)?;
            } else if q >= n {
                return fail("Expected authority", p);
            }
        }
        let q = self.find(p, n, "?#");
        p = self.check(p, q, Class::Path, "path")?;
        if self.at(p, '?') {
            let q = self.find(p + 1, n, "#");
            p = self.check(p + 1, q, Class::Uric, "query")?;
        }
        Ok(p)
    }

    fn authority(&self, start: usize, end: usize) -> Result<usize, UriError> {
        let server = self.scan(start, end, Class::Server)? == end;
        let registry = self.scan(start, end, Class::RegName)? == end;
        if registry {
            // A server-based parse that fails falls back to a registry name.
            return Ok(end);
        }
        if server && self.ipv6_server(start, end) {
            return Ok(end);
        }
        if server {
            return fail("Malformed IPv6 address", start);
        }
        let p = self
            .scan(start, end, Class::Server)?
            .max(self.scan(start, end, Class::RegName)?);
        fail("Illegal character in authority", p)
    }

    /// `[userinfo@]"[" IPv6 "]"[:port]`, read loosely: brackets are legal
    /// in an authority only around an IPv6 address.
    fn ipv6_server(&self, start: usize, end: usize) -> bool {
        let text: String = self.chars[start..end].iter().collect();
        let host = match text.rfind('@') {
            Some(at) => &text[at + 1..],
            None => &text[..],
        };
        let Some(rest) = host.strip_prefix('[') else {
            return false;
        };
        let Some((address, after)) = rest.split_once(']') else {
            return false;
        };
        let port_ok = after.is_empty()
            || after
                .strip_prefix(':')
                .is_some_and(|port| port.chars().all(|c| c.is_ascii_digit()));
        !address.is_empty() && address.chars().all(|c| c.is_ascii_hexdigit() || c == ':' || c == '.') && port_ok
    }
}

/// The JDK's complaint about `text` as a URI, if it has one.
pub(super) fn uri_error(text: &str) -> Option<UriError> {
    let parser = Parser {
        chars: text.chars().collect(),
    };
    parser.parse().err()
}

/// The JDK's complaint about `text` as a URL, when it certainly has one:
/// a URL must start with a protocol (`http:`, `file:`, ...). Which protocols
/// a JVM knows depends on its setup, so an unknown one is not reported.
pub(super) fn url_error(text: &str) -> Option<String> {
    let spec = text.trim_matches(|c: char| c <= ' ');
    let spec = match spec.get(..4) {
        Some(prefix) if prefix.eq_ignore_ascii_case("url:") => &spec[4..],
        _ => spec,
    };
    let before_slash = spec.split('/').next().unwrap_or("");
    let protocol = (!spec.starts_with('#'))
        .then(|| before_slash.split_once(':').map(|(p, _)| p))
        .flatten()
        .filter(|p| {
            let mut chars = p.chars();
            chars.next().is_some_and(|c| c.is_ascii_alphabetic())
                && chars.all(|c| c.is_ascii_alphanumeric() || ".+-".contains(c))
        });
    match protocol {
        Some(_) => None,
        None => Some(format!("no protocol: {text}")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn accepts_what_the_jdk_accepts() {
        for ok in [
            "https://example.com/app.tgz",
            "http://user:pw@host:8080/a/b?x=1&y=[2]#frag",
            "file:///opt/app.jar",
            "hdfs://namenode/path/file.tar.gz",
            "s3://bucket/key%20with%20space",
            "/local/path/app.tgz",
            "relative/path",
            "",
            "localhost:8080",
            "mailto:ops@example.com",
            "http://[::1]:8080/x",
            "http://under_score.example.com/x",
            "http://example.com/caf\u{e9}.txt",
            "docker://registry.example.com/image",
        ] {
            assert!(uri_error(ok).is_none(), "{ok}");
        }
    }

    #[test]
    fn rejects_what_the_jdk_rejects() {
        for (bad, why) in [
            ("https://example.com/my app.tgz", "Illegal character in path"),
            ("http://example.com/{{version}}/app.tgz", "Illegal character in path"),
            ("http://{{host}}/app.tgz", "Illegal character in authority"),
            ("http://example.com/a%zz", "Malformed escape pair"),
            ("http://example.com/a?q=1 2", "Illegal character in query"),
            ("http://example.com/a#x#y", "Illegal character in fragment"),
            ("http://", "Expected authority"),
            ("http:", "Expected scheme-specific part"),
            (":foo", "Expected scheme name"),
            ("1http://x", "Illegal character in scheme name"),
            ("C:\\temp\\app.zip", "Illegal character in opaque part"),
            ("http://example.com/a[1]", "Illegal character in path"),
            ("http://ex ample.com/", "Illegal character in authority"),
        ] {
            let error = uri_error(bad).unwrap_or_else(|| panic!("{bad} should fail"));
            assert_eq!(error.reason, why, "{bad}");
        }
    }

    #[test]
    fn urls_need_a_protocol() {
        assert!(url_error("http://example.com/x").is_none());
        assert!(url_error("hdfs://nn/x").is_none());
        assert!(url_error(" URL:https://x/y").is_none());
        assert_eq!(url_error("example.com/x").unwrap(), "no protocol: example.com/x");
        assert!(url_error("/abs/path").is_some());
    }
}
