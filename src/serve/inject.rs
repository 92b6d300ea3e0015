//! What the preview server adds to HTML responses: the live-reload script and, while a
//! build error is set, an overlay showing it (HTML-escaped).
//!
//! It must NOT touch files: injection happens on the bytes being served only, so
//! `folio build` output never contains any of this.

/// The server-sent-events endpoint the script listens to.
pub const EVENTS_PATH: &str = "/__folio/events";

/// Id of the overlay element (server-rendered and script-rendered alike).
const OVERLAY_ID: &str = "__folio_error";

const OVERLAY_STYLE: &str = "position:fixed;inset:0;z-index:2147483647;overflow:auto;\
margin:0;padding:2em;background:rgba(24,24,27,.94);color:#fecaca;\
font:14px/1.5 ui-monospace,Menlo,Consolas,monospace";
const PRE_STYLE: &str = "margin:1em 0 0;white-space:pre-wrap;word-break:break-word;font:inherit";

/// The live-reload script: reloads on `reload`, shows the overlay on `error` (a message
/// event carrying JSON text; the browser's own connection `error` has no data), hides
/// it on `clear`.
fn script() -> String {
    format!(
        r#"<script data-folio-live-reload>
(function () {{
  if (!window.EventSource) return;
  function overlay() {{
    var el = document.getElementById("{OVERLAY_ID}");
    if (!el) {{
      el = document.createElement("div");
      el.id = "{OVERLAY_ID}";
      el.setAttribute("style", "{OVERLAY_STYLE}");
      el.appendChild(document.createElement("strong")).textContent = "Folio build error";
      el.appendChild(document.createElement("pre")).setAttribute("style", "{PRE_STYLE}");
      document.body.appendChild(el);
    }}
    return el;
  }}
  var source = new EventSource("{EVENTS_PATH}");
  source.addEventListener("reload", function () {{ location.reload(); }});
  source.addEventListener("error", function (e) {{
    if (typeof e.data !== "string") return;
    overlay().querySelector("pre").textContent = JSON.parse(e.data);
  }});
  source.addEventListener("clear", function () {{
    var el = document.getElementById("{OVERLAY_ID}");
    if (el) el.parentNode.removeChild(el);
  }});
}})();
</script>
"#
    )
}

/// The server-rendered overlay for `message`.
fn overlay(message: &str) -> String {
    format!(
        "<div id=\"{OVERLAY_ID}\" style=\"{OVERLAY_STYLE}\"><strong>Folio build error</strong>\
         <pre style=\"{PRE_STYLE}\">{}</pre></div>\n",
        escape_html(message)
    )
}

/// Escape text for HTML element content and quoted attribute values.
pub use crate::render::markdown::escape as escape_html;

/// `html` with the overlay (if `error` is set) and the script inserted just before the
/// last `</body>` (any case), or appended when there is none.
pub fn inject(html: &[u8], error: Option<&str>) -> Vec<u8> {
    let mut extra = String::new();
    if let Some(message) = error {
        extra.push_str(&overlay(message));
    }
    extra.push_str(&script());
    let at = rfind_ignore_case(html, b"</body").unwrap_or(html.len());
    let mut out = Vec::with_capacity(html.len() + extra.len());
    out.extend_from_slice(&html[..at]);
    out.extend_from_slice(extra.as_bytes());
    out.extend_from_slice(&html[at..]);
    out
}

fn rfind_ignore_case(haystack: &[u8], needle: &[u8]) -> Option<usize> {
    if needle.len() > haystack.len() {
        return None;
    }
    (0..=haystack.len() - needle.len())
        .rev()
        .find(|&i| haystack[i..i + needle.len()].eq_ignore_ascii_case(needle))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inserts_before_last_body_close() {
        let html = b"<html><body><p>x</p></BODY></html>";
        let out = String::from_utf8(inject(html, None)).unwrap();
        let script_at = out.find("<script data-folio-live-reload>").unwrap();
        assert!(script_at < out.find("</BODY>").unwrap());
        assert!(out.starts_with("<html><body><p>x</p>"));
        assert!(out.ends_with("</script>\n</BODY></html>"));
    }

    #[test]
    fn appends_without_body() {
        let out = String::from_utf8(inject(b"<p>frag", None)).unwrap();
        assert!(out.starts_with("<p>frag<script"));
    }

    #[test]
    fn overlay_is_escaped() {
        let out = String::from_utf8(inject(b"<body></body>", Some("<b>&\"x'"))).unwrap();
        assert!(out.contains(">&lt;b&gt;&amp;&quot;x&#39;</pre>"));
        assert!(!out.contains("<b>&"));
    }
}
