//! The in-memory store: the state behind one reader-writer lock.

use parking_lot::RwLock;

use super::{State, Store, StoreError};

/// Keeps the state in memory. Readers run in parallel; writers one at a time.
#[derive(Debug, Default)]
pub struct MemoryStore {
    state: RwLock<State>,
}

impl MemoryStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }
}

impl Store for MemoryStore {
    fn read(&self, f: &mut dyn FnMut(&State)) {
        f(&self.state.read());
    }

    fn write(&self, f: &mut dyn FnMut(&mut State) -> bool) -> Result<(), StoreError> {
        let mut state = self.state.write();
        f(&mut state);
        // Nothing to keep: forget what changed, so the bookkeeping stays empty.
        state.take_changes();
        Ok(())
    }
}
