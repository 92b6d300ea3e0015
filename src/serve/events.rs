//! Server-sent events: a hub that fans out `reload` / `error` / `clear` events to the
//! open event-stream connections, and the wire format of one event.
//!
//! It must NOT do socket I/O itself: connection threads subscribe and write.

use std::sync::Mutex;
use std::sync::mpsc::{Receiver, SyncSender, TrySendError, sync_channel};

/// How many events may queue for one slow tab before further ones are dropped for it.
const QUEUE: usize = 16;

/// One event pushed to the browser.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Event {
    /// Reload the page: the site was rebuilt.
    Reload,
    /// Show this build error over the page.
    Error(String),
    /// Hide the build-error overlay.
    Clear,
}

impl Event {
    /// The event as an SSE frame. Data is JSON-encoded so it is always one line.
    pub fn frame(&self) -> String {
        match self {
            Event::Reload => "event: reload\ndata: {}\n\n".to_string(),
            Event::Clear => "event: clear\ndata: {}\n\n".to_string(),
            Event::Error(message) => {
                let data = serde_json::Value::String(message.clone()).to_string();
                format!("event: error\ndata: {data}\n\n")
            }
        }
    }
}

/// Fan-out of events to subscribers; dead subscribers are pruned on send.
#[derive(Default)]
pub struct Hub {
    clients: Mutex<Vec<SyncSender<Event>>>,
}

impl Hub {
    /// A new subscription; it ends when the hub is closed.
    pub fn subscribe(&self) -> Receiver<Event> {
        let (tx, rx) = sync_channel(QUEUE);
        self.lock().push(tx);
        rx
    }

    /// Send to every subscriber; a subscriber whose queue is full misses this event.
    pub fn broadcast(&self, event: &Event) {
        self.lock().retain(|tx| match tx.try_send(event.clone()) {
            Ok(()) | Err(TrySendError::Full(_)) => true,
            Err(TrySendError::Disconnected(_)) => false,
        });
    }

    /// Drop all subscriptions, which ends their connections.
    pub fn close_all(&self) {
        self.lock().clear();
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Vec<SyncSender<Event>>> {
        self.clients.lock().unwrap_or_else(|e| e.into_inner())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_are_single_line_data() {
        let f = Event::Error("line 1\nline <2>".into()).frame();
        assert_eq!(f, "event: error\ndata: \"line 1\\nline <2>\"\n\n");
        assert_eq!(Event::Reload.frame(), "event: reload\ndata: {}\n\n");
    }

    #[test]
    fn broadcast_reaches_subscribers_and_prunes_dead_ones() {
        let hub = Hub::default();
        let a = hub.subscribe();
        let b = hub.subscribe();
        drop(b);
        hub.broadcast(&Event::Reload);
        assert_eq!(a.try_recv().ok(), Some(Event::Reload));
        assert_eq!(hub.lock().len(), 1);
        hub.close_all();
        assert!(a.recv().is_err());
    }
}
