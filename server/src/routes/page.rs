//! `GET /`: the waiting-room page, one self-contained HTML file compiled into the binary.

use axum::response::Html;

/// The page's source (`static/index.html`).
const INDEX_HTML: &str = include_str!("../../static/index.html");

/// The waiting-room page.
pub(crate) async fn index() -> Html<&'static str> {
    Html(INDEX_HTML)
}
