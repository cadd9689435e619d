//! Errors for JavaScript: a bare `JsError` keeps only the top message, so the whole `source()`
//! chain is joined into it (`layer 2 (sha256:…): corrupt gzip stream: invalid deflate data`).

use std::error::Error;

use wasm_bindgen::JsError;

/// The error and every cause below it, joined with `: ` (causes already quoted in the message
/// above them are not repeated).
pub fn error_chain(err: &(dyn Error + 'static)) -> JsError {
    JsError::new(&chain_text(err))
}

pub(crate) fn chain_text(err: &(dyn Error + 'static)) -> String {
    let mut text = err.to_string();
    let mut cause = err.source();
    while let Some(c) = cause {
        let part = c.to_string();
        if !text.contains(&part) {
            text.push_str(": ");
            text.push_str(&part);
        }
        cause = c.source();
    }
    text
}

#[cfg(test)]
mod tests {
    use super::chain_text;

    #[derive(Debug)]
    struct Outer(std::io::Error);
    impl std::fmt::Display for Outer {
        fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
            f.write_str("layer 1: read failed")
        }
    }
    impl std::error::Error for Outer {
        fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
            Some(&self.0)
        }
    }

    #[test]
    fn joins_causes_not_already_in_the_message() {
        let e = Outer(std::io::Error::other("disk on fire"));
        assert_eq!(chain_text(&e), "layer 1: read failed: disk on fire");
    }
}
