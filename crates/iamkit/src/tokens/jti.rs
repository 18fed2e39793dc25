//! Fresh access-token ids (`jti`): 16 bytes of the operating system's secure random
//! source each, as [`Sid::generate`] draws them, but read 1 KiB at a time, so that
//! issuing a token costs a 64th of a `getrandom` call rather than a whole one.
//!
//! Every id still comes from bytes the OS handed out once: a byte of the pool is
//! never used twice, and a process that finds itself with another process id (a
//! child after `fork`, which inherits the parent's pool) throws the pool away
//! before taking from it, so parent and child never share ids.

use parking_lot::Mutex;
use ring::rand::{SecureRandom, SystemRandom};

use crate::ids::{Sid, TokenId};

/// Bytes of one read from the random source: 64 ids.
const POOL_BYTES: usize = 1024;
/// Bytes of one id.
const ID_BYTES: usize = 16;

/// Random bytes read ahead, and the process they were read in.
struct Pool {
    bytes: [u8; POOL_BYTES],
    /// Bytes already handed out (the pool is empty at `POOL_BYTES`).
    used: usize,
    pid: u32,
}

impl Pool {
    const EMPTY: Pool = Pool {
        bytes: [0; POOL_BYTES],
        used: POOL_BYTES,
        pid: 0,
    };

    /// The next 16 unused bytes, refilling first when the pool is spent or was
    /// filled by another process (`pid` is the caller's).
    fn take(&mut self, pid: u32, fill: impl FnOnce(&mut [u8])) -> [u8; ID_BYTES] {
        if self.used + ID_BYTES > POOL_BYTES || self.pid != pid {
            fill(&mut self.bytes);
            self.used = 0;
            self.pid = pid;
        }
        let mut id = [0u8; ID_BYTES];
        let taken = &mut self.bytes[self.used..self.used + ID_BYTES];
        id.copy_from_slice(taken);
        // Handed-out bytes do not linger in the pool.
        taken.fill(0);
        self.used += ID_BYTES;
        id
    }
}

static POOL: Mutex<Pool> = Mutex::new(Pool::EMPTY);

/// A fresh token id from the operating system's secure random source.
pub(crate) fn fresh() -> TokenId {
    let bytes = POOL.lock().take(std::process::id(), |buf| {
        // As in `Sid::generate`: the OS random source failing is unrecoverable.
        SystemRandom::new()
            .fill(buf)
            .expect("the operating system's random source is available");
    });
    TokenId::from_bytes(bytes)
}

#[cfg(test)]
mod tests {
    use std::collections::HashSet;

    use super::*;

    /// Fills with a counter, so that which bytes were handed out is visible.
    fn counting(next: &mut u8) -> impl FnOnce(&mut [u8]) + '_ {
        move |buf| {
            for b in buf {
                *b = *next;
                *next = next.wrapping_add(1);
            }
        }
    }

    #[test]
    fn ids_are_distinct_across_many_refills() {
        let ids: HashSet<TokenId> = (0..1000).map(|_| fresh()).collect();
        assert_eq!(ids.len(), 1000);
    }

    #[test]
    fn each_byte_is_handed_out_once_and_the_pool_refills_when_spent() {
        let mut pool = Pool::EMPTY;
        let mut next = 0u8;
        let first = pool.take(7, counting(&mut next));
        assert_eq!(first, std::array::from_fn(|i| i as u8));
        for n in 1..POOL_BYTES / ID_BYTES {
            let id = pool.take(7, |_| panic!("refilled before the pool was spent"));
            assert_eq!(id[0], (n * ID_BYTES) as u8);
        }
        assert!(
            pool.bytes.iter().all(|&b| b == 0),
            "handed-out bytes are wiped"
        );
        let mut refills = 0;
        pool.take(7, |buf| {
            refills += 1;
            buf.fill(0xaa);
        });
        assert_eq!(refills, 1);
    }

    #[test]
    fn another_process_id_refills_before_taking() {
        let mut pool = Pool::EMPTY;
        let mut next = 0u8;
        pool.take(7, counting(&mut next));
        let mut refilled = false;
        let child = pool.take(8, |buf| {
            refilled = true;
            buf.fill(0x55);
        });
        assert!(refilled, "a pool filled by another process is not used");
        assert_eq!(child, [0x55; ID_BYTES]);
    }
}
