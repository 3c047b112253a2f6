//! What the load benches share: a process's resident memory from `/proc`, and one
//! keep-alive HTTP/1.1 connection. Included with `#[path]` (benches are crates of their
//! own). A measurement that cannot be made stops the bench: 0 would read as "target met".
#![allow(dead_code)]

use std::io::{Read, Write};
use std::net::{SocketAddr, TcpStream};

/// Resident memory of `pid` in KiB, from `/proc/PID/status`.
pub fn rss_kib(pid: u32) -> u64 {
    let path = format!("/proc/{pid}/status");
    let status = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("cannot measure RSS: {path}: {e}"));
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse().ok())
        .filter(|kib| *kib > 0)
        .unwrap_or_else(|| panic!("cannot measure RSS: no VmRSS in {path}"))
}

/// How a connection waits for its response.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Wait {
    /// In `read`: the thread sleeps, and the server's send wakes it.
    Block,
    /// Polls a non-blocking socket, yielding between polls: the thread never sleeps, so
    /// the server's send never has a sleeping reader to wake. On loopback the sender pays
    /// for that wake-up (the receive path runs in its `writev`), which a server on a real
    /// network does not; polling keeps it out of the server's CPU time. Only for a load
    /// generator with CPUs of its own: it keeps them busy.
    Poll,
}

/// One keep-alive HTTP/1.1 connection on loopback.
pub struct Conn {
    stream: TcpStream,
    wait: Wait,
    /// What has been read and not yet used.
    buf: Vec<u8>,
}

impl Conn {
    pub fn open(addr: SocketAddr) -> Conn {
        Conn::open_with(addr, Wait::Block)
    }

    pub fn open_with(addr: SocketAddr, wait: Wait) -> Conn {
        let stream = TcpStream::connect(addr).expect("connect");
        stream.set_nodelay(true).unwrap();
        stream.set_nonblocking(wait == Wait::Poll).unwrap();
        Conn { stream, wait, buf: Vec::with_capacity(16 * 1024) }
    }

    /// One request on the connection; returns the status and the body.
    pub fn exchange(&mut self, request: &[u8]) -> (u16, Vec<u8>) {
        let mut sent = 0;
        while sent < request.len() {
            match self.stream.write(&request[sent..]) {
                Ok(0) => panic!("write: the server closed the connection"),
                Ok(n) => sent += n,
                Err(e) if self.retry(&e) => {}
                Err(e) => panic!("write: {e}"),
            }
        }
        // The head, up to the blank line.
        let head_end = loop {
            if let Some(i) = self.buf.windows(4).position(|w| w == b"\r\n\r\n") {
                break i + 4;
            }
            self.fill();
        };
        let head = std::str::from_utf8(&self.buf[..head_end]).expect("an ASCII head");
        let status = head.split(' ').nth(1).and_then(|s| s.parse().ok()).unwrap_or(0);
        // The servers measured send a length; anything else cannot be read as one answer.
        let length: usize = head
            .lines()
            .find_map(|l| l.to_ascii_lowercase().strip_prefix("content-length:").map(|v| v.trim().to_string()))
            .and_then(|v| v.parse().ok())
            .unwrap_or_else(|| panic!("a response without a Content-Length: {head:?}"));
        while self.buf.len() < head_end + length {
            self.fill();
        }
        let body = self.buf[head_end..head_end + length].to_vec();
        self.buf.drain(..head_end + length);
        (status, body)
    }

    /// Read what has arrived (at least one byte) onto `buf`.
    fn fill(&mut self) {
        let mut chunk = [0u8; 16 * 1024];
        loop {
            match self.stream.read(&mut chunk) {
                Ok(0) => panic!("read: the server closed the connection"),
                Ok(n) => return self.buf.extend_from_slice(&chunk[..n]),
                Err(e) if self.retry(&e) => {}
                Err(e) => panic!("read: {e}"),
            }
        }
    }

    /// Whether `e` means "try again": interrupted, or nothing yet on a polling socket.
    fn retry(&self, e: &std::io::Error) -> bool {
        match e.kind() {
            std::io::ErrorKind::Interrupted => true,
            std::io::ErrorKind::WouldBlock if self.wait == Wait::Poll => {
                std::thread::yield_now();
                true
            }
            _ => false,
        }
    }
}
