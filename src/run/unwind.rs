//! Runs a future in the current task and turns a panic inside it into an error message:
//! one scenario's bug must not end the run, and spawning a task only to catch its panic
//! costs two thread hand-offs per scenario.

use std::future::Future;
use std::panic::{AssertUnwindSafe, catch_unwind};
use std::pin::Pin;
use std::task::{Context, Poll};

/// `future`'s output, or the panic's message when polling it panicked.
pub async fn catching_panics<F: Future>(future: F) -> Result<F::Output, String> {
    CatchPanic {
        future: Box::pin(future),
    }
    .await
}

/// How a scenario that panicked is reported, wherever the panic was caught.
pub fn internal_error(panic: &str) -> String {
    format!("internal error while running the scenario: {panic}")
}

struct CatchPanic<F> {
    future: Pin<Box<F>>,
}

impl<F: Future> Future for CatchPanic<F> {
    type Output = Result<F::Output, String>;

    fn poll(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<Self::Output> {
        let future = self.future.as_mut();
        match catch_unwind(AssertUnwindSafe(|| future.poll(cx))) {
            Ok(Poll::Pending) => Poll::Pending,
            Ok(Poll::Ready(output)) => Poll::Ready(Ok(output)),
            Err(payload) => Poll::Ready(Err(panic_message(payload.as_ref()))),
        }
    }
}

fn panic_message(payload: &(dyn std::any::Any + Send)) -> String {
    let text = payload
        .downcast_ref::<&str>()
        .copied()
        .or_else(|| payload.downcast_ref::<String>().map(String::as_str))
        .unwrap_or("a panic without a message");
    format!("panicked: {text}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_panic_becomes_its_message_and_a_value_passes_through() {
        assert_eq!(catching_panics(async { 7 }).await, Ok(7));
        let caught = catching_panics(async {
            tokio::task::yield_now().await;
            panic!("step {} broke", 3);
        })
        .await;
        assert_eq!(caught, Err::<(), _>("panicked: step 3 broke".to_owned()));
    }
}
