//! The API's routes as the source registers them (`api::configure` and the `routes` functions it
//! configures), read from `src/api/*.rs`: actix-web cannot list its routes at run time. A
//! registration this reader does not understand makes it panic, so a route is never missed silently.

use std::collections::BTreeSet;
use std::path::Path;

/// An operation: upper-case method and path, in the OpenAPI path syntax (`{id}`).
pub type Operation = (String, String);

/// A token of Rust source, as far as route registrations need.
#[derive(Debug, Clone, PartialEq)]
enum Tok {
    /// An identifier or a path such as `web::scope`.
    Word(String),
    Str(String),
    Punct(char),
}

/// At `r"` or `r#…#"` opening a raw string: the number of `#`.
fn raw_string_at(chars: &[char], i: usize) -> Option<usize> {
    let starts_word = i == 0 || !(chars[i - 1].is_alphanumeric() || chars[i - 1] == '_');
    if chars[i] != 'r' || !starts_word {
        return None;
    }
    let hashes = chars[i + 1..].iter().take_while(|&&c| c == '#').count();
    (chars.get(i + 1 + hashes) == Some(&'"')).then_some(hashes)
}

fn tokens(src: &str) -> Vec<Tok> {
    let chars: Vec<char> = src.chars().collect();
    let mut out = Vec::new();
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if c == '/' && chars.get(i + 1) == Some(&'/') {
            while i < chars.len() && chars[i] != '\n' {
                i += 1;
            }
        } else if c == '"' {
            let mut s = String::new();
            i += 1;
            while chars[i] != '"' {
                if chars[i] == '\\' {
                    i += 1;
                }
                s.push(chars[i]);
                i += 1;
            }
            i += 1;
            out.push(Tok::Str(s));
        } else if let Some(hashes) = raw_string_at(&chars, i) {
            // A raw string: r"…", r#"…"#.
            let start = i + 2 + hashes;
            let close: String = std::iter::once('"')
                .chain(std::iter::repeat_n('#', hashes))
                .collect();
            let rest: String = chars[start..].iter().collect();
            let len = rest.find(&close).expect("an unterminated raw string");
            out.push(Tok::Str(rest[..len].to_string()));
            i = start + rest[..len].chars().count() + close.len();
        } else if c == '\'' && chars.get(i + 1) == Some(&'\\') {
            // An escaped char literal such as '\n' or '\''.
            i += 3;
            while chars[i] != '\'' {
                i += 1;
            }
            i += 1;
        } else if c == '\'' && chars.get(i + 2) == Some(&'\'') {
            // A char literal such as '/' or '"'.
            i += 3;
        } else if c.is_alphanumeric() || c == '_' {
            let mut s = String::new();
            while i < chars.len()
                && (chars[i].is_alphanumeric()
                    || chars[i] == '_'
                    || (chars[i] == ':' && chars.get(i + 1) == Some(&':'))
                    || (chars[i] == ':' && i > 0 && chars[i - 1] == ':'))
            {
                s.push(chars[i]);
                i += 1;
            }
            out.push(Tok::Word(s));
        } else {
            out.push(Tok::Punct(c));
            i += 1;
        }
    }
    out
}

/// The tokens of the body of `fn name` in `toks`.
fn fn_body(toks: &[Tok], name: &str, file: &str) -> Vec<Tok> {
    let at = toks
        .windows(2)
        .position(|w| w[0] == Tok::Word("fn".into()) && w[1] == Tok::Word(name.into()))
        .unwrap_or_else(|| panic!("{file}: no fn {name}"));
    let open = at
        + toks[at..]
            .iter()
            .position(|t| *t == Tok::Punct('{'))
            .unwrap();
    let mut depth = 0;
    for (i, t) in toks.iter().enumerate().skip(open) {
        match t {
            Tok::Punct('{') => depth += 1,
            Tok::Punct('}') => {
                depth -= 1;
                if depth == 0 {
                    return toks[open + 1..i].to_vec();
                }
            }
            _ => {}
        }
    }
    panic!("{file}: fn {name} does not end")
}

/// `{id:\d+}` → `{id}`.
fn openapi_path(path: &str) -> String {
    let mut out = String::new();
    let mut in_param = false;
    let mut skipping = false;
    for c in path.chars() {
        match c {
            '{' => in_param = true,
            '}' => {
                in_param = false;
                skipping = false;
            }
            ':' if in_param => skipping = true,
            _ if skipping => continue,
            _ => {}
        }
        if !skipping || c == '}' {
            out.push(c);
        }
    }
    out
}

/// What an open registration chain belongs to.
enum Frame {
    Scope { prefix: String, depth: i32 },
    Resource { path: String, depth: i32 },
}

impl Frame {
    fn depth(&self) -> i32 {
        match self {
            Frame::Scope { depth, .. } | Frame::Resource { depth, .. } => *depth,
        }
    }
}

/// The routes a registration function mounts under `prefix`, following `.configure(module::routes)`
/// into `src/api/module.rs` (or `src/api/module/mod.rs`). Registrations it cannot read make it panic rather than miss a route.
fn mounted_in(file: &str, function: &str, prefix: &str, out: &mut BTreeSet<Operation>) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("src/api");
    let src = std::fs::read_to_string(dir.join(file)).unwrap_or_else(|e| panic!("{file}: {e}"));
    for attr in [
        "#[get(",
        "#[post(",
        "#[put(",
        "#[delete(",
        "#[patch(",
        "#[route(",
    ] {
        assert!(
            !src.contains(attr),
            "{file}: {attr} route macros are not read by this test: register with .route()"
        );
    }
    let all = tokens(&src);
    let body = fn_body(&all, function, file);
    let word = |i: usize| match body.get(i) {
        Some(Tok::Word(w)) => Some(w.as_str()),
        _ => None,
    };
    let string = |i: usize| match body.get(i) {
        Some(Tok::Str(s)) => Some(s.clone()),
        _ => None,
    };
    let punct = |i: usize, c: char| body.get(i) == Some(&Tok::Punct(c));
    let method = |i: usize| -> String {
        let w = word(i).unwrap_or_else(|| panic!("{file}: a route without web::METHOD()"));
        let m = w
            .strip_prefix("web::")
            .filter(|m| ["get", "post", "put", "delete", "patch", "head"].contains(m))
            .unwrap_or_else(|| panic!("{file}: cannot read the route method {w}"));
        m.to_uppercase()
    };
    let mut frames: Vec<Frame> = Vec::new();
    let mut depth = 0;
    let here = |frames: &[Frame]| -> String {
        let mut p = prefix.to_string();
        for f in frames {
            if let Frame::Scope { prefix, .. } = f {
                p.push_str(prefix);
            }
        }
        p
    };
    let mut i = 0;
    while i < body.len() {
        match &body[i] {
            Tok::Punct('(') => depth += 1,
            Tok::Punct(')') => {
                depth -= 1;
                while frames.last().is_some_and(|f| f.depth() > depth) {
                    frames.pop();
                }
            }
            Tok::Punct(',') | Tok::Punct(';') => {
                while frames.last().is_some_and(|f| f.depth() >= depth) {
                    frames.pop();
                }
            }
            Tok::Word(w) if w == "web::scope" || w == "web::resource" => {
                let path = string(i + 2)
                    .filter(|_| punct(i + 1, '(') && punct(i + 3, ')'))
                    .unwrap_or_else(|| panic!("{file}: {w} without a literal path"));
                let frame = if w == "web::scope" {
                    Frame::Scope {
                        prefix: path,
                        depth,
                    }
                } else {
                    Frame::Resource {
                        path: format!("{}{path}", here(&frames)),
                        depth,
                    }
                };
                frames.push(frame);
                i += 4;
                continue;
            }
            Tok::Word(w) if w == "route" && i > 0 && punct(i - 1, '.') => {
                assert!(punct(i + 1, '('), "{file}: .route without arguments");
                if let Some(path) = string(i + 2) {
                    assert!(
                        punct(i + 3, ','),
                        "{file}: .route(\"{path}\" without a route"
                    );
                    out.insert((method(i + 4), format!("{}{path}", here(&frames))));
                } else {
                    let Some(Frame::Resource { path, .. }) = frames.last() else {
                        panic!("{file}: .route(web::…) outside a web::resource");
                    };
                    out.insert((method(i + 2), path.clone()));
                }
            }
            Tok::Word(w) if w == "to" && i > 0 && punct(i - 1, '.') => {
                assert!(
                    !matches!(frames.last(), Some(Frame::Resource { depth: d, .. }) if *d == depth),
                    "{file}: web::resource(…).to(…) answers every method: register each with .route()"
                );
            }
            Tok::Word(w) if w == "configure" && i > 0 && punct(i - 1, '.') => {
                let target = word(i + 2)
                    .filter(|_| punct(i + 1, '(') && punct(i + 3, ')'))
                    .unwrap_or_else(|| {
                        panic!("{file}: .configure(…) of something but module::routes")
                    });
                let (module, function) = target
                    .rsplit_once("::")
                    .unwrap_or_else(|| panic!("{file}: .configure({target})"));
                // A module is `module.rs` or `module/mod.rs`.
                let file = if Path::new(env!("CARGO_MANIFEST_DIR"))
                    .join(format!("src/api/{module}/mod.rs"))
                    .exists()
                {
                    format!("{module}/mod.rs")
                } else {
                    format!("{module}.rs")
                };
                mounted_in(&file, function, &here(&frames), out);
            }
            Tok::Word(w) if w == "service" && i > 0 && punct(i - 1, '.') => {
                assert!(
                    matches!(word(i + 2), Some("web::scope" | "web::resource")),
                    "{file}: .service(…) of something this test cannot read: {:?}",
                    body.get(i + 2)
                );
            }
            _ => {}
        }
        i += 1;
    }
}

/// Every route the server mounts for the API (`api::configure`), read from the source.
pub fn mounted() -> BTreeSet<Operation> {
    let mut raw = BTreeSet::new();
    mounted_in("mod.rs", "configure", "", &mut raw);
    raw.into_iter()
        .map(|(m, p)| (m, openapi_path(&p)))
        .collect()
}
