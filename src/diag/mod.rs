//! Diagnostics that point at file:line:col with the source line, a caret and a hint.
