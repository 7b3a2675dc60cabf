//! The write log next to the state file (`FILE.wal`): every write's effect, appended and fsynced
//! before the write is answered, so a crash (SIGKILL, power loss) loses nothing acknowledged.
//!
//! A record is `[length: u32 LE][crc32 of the payload: u32 LE][payload: JSON]`. The first
//! record is a header naming the mount; each later one holds the whole new state of one
//! resource (`{"t": tenant path, "k": "User"|"Group", "id": .., "doc": resource | null}`), or
//! `{"t": .., "clear": true}` when a tenant's content was replaced (a reset; the resources it
//! then holds follow). Records are idempotent and applied in order, so replaying a log over any
//! snapshot taken after its first record gives the state after its last one.
//!
//! Writers append under their tenant's write lock (so the log's order is the store's) into a
//! shared buffer; one thread writes and fsyncs whatever has accumulated (group commit) and
//! publishes how far the log is durable. A snapshot compacts the log: records it covers are
//! dropped by rewriting the rest into a fresh file.

use super::files::Temp;
use crate::store::{Changes, Id, Kind, Store, Stored};
use serde_json::{Value, json};
use std::collections::VecDeque;
use std::fs::File;
use std::io::{self, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Condvar, Mutex};

/// Frames `payload` as one record.
pub fn frame(out: &mut Vec<u8>, payload: &[u8]) {
    out.extend_from_slice(&(payload.len() as u32).to_le_bytes());
    out.extend_from_slice(&crc32fast::hash(payload).to_le_bytes());
    out.extend_from_slice(payload);
}

/// A log read back: its header, its records, and how many bytes at its end were torn (a record
/// being written when the process died: never acknowledged, dropped).
#[derive(Debug, Default)]
pub struct ReadBack {
    /// The header record.
    pub header: Option<Value>,
    /// The records after the header, in order.
    pub records: Vec<Value>,
    /// Bytes after the last whole record.
    pub torn: usize,
}

/// Reads the log at `path`; `Ok(None)` when there is none.
pub fn read(path: &Path) -> io::Result<Option<ReadBack>> {
    let bytes = match std::fs::read(path) {
        Ok(b) => b,
        Err(e) if e.kind() == io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e),
    };
    let mut out = ReadBack::default();
    let mut at = 0;
    while at + 8 <= bytes.len() {
        let len = u32::from_le_bytes([bytes[at], bytes[at + 1], bytes[at + 2], bytes[at + 3]]);
        let crc = u32::from_le_bytes([bytes[at + 4], bytes[at + 5], bytes[at + 6], bytes[at + 7]]);
        let end = at + 8 + len as usize;
        let Some(payload) = bytes.get(at + 8..end) else {
            break;
        };
        if crc32fast::hash(payload) != crc {
            break;
        }
        let Ok(v) = serde_json::from_slice::<Value>(payload) else {
            break;
        };
        if out.header.is_none() {
            out.header = Some(v);
        } else {
            out.records.push(v);
        }
        at = end;
    }
    out.torn = bytes.len() - at;
    Ok(Some(out))
}

/// A resource as the state file and the log hold it (a pending account marked).
pub fn resource_value(s: &Stored) -> Value {
    let mut v = s.to_value();
    if s.pending {
        v[crate::seed::PENDING_KEY] = Value::Bool(true);
    }
    v
}

/// The records for what `changes` did to the tenant at `path`, framed, read from `store`.
pub fn records(path: &str, store: &Store, changes: &Changes) -> Vec<u8> {
    let mut out = Vec::new();
    if changes.replaced {
        frame(
            &mut out,
            json!({"t": path, "clear": true}).to_string().as_bytes(),
        );
    }
    let mut put = |kind: Kind, id: &Id, s: Option<&Arc<Stored>>| {
        let doc = s.map_or(Value::Null, |s| resource_value(s));
        let r = json!({"t": path, "k": kind.resource_type(), "id": &**id, "doc": doc});
        frame(&mut out, r.to_string().as_bytes());
    };
    if changes.replaced {
        for s in store.users.iter() {
            put(Kind::User, &s.id, Some(s));
        }
        for s in store.groups.iter() {
            put(Kind::Group, &s.id, Some(s));
        }
    } else {
        let mut seen = std::collections::HashSet::new();
        for (kind, id) in &changes.touched {
            if seen.insert((*kind, id.clone())) {
                put(*kind, id, store.collection(*kind).get(id));
            }
        }
    }
    out
}

/// Applies log records to a state document (`{"tenants": {path: {"users": [..], "groups": [..]}}}`).
pub fn replay(doc: &mut Value, records: &[Value]) {
    use indexmap::IndexMap;
    type Items = IndexMap<String, Value>;
    let mut tenants: IndexMap<String, (Items, Items)> = IndexMap::new();
    let index = |v: Option<&Value>| -> Items {
        v.and_then(Value::as_array)
            .into_iter()
            .flatten()
            .map(|r| {
                let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
                (id.to_string(), r.clone())
            })
            .collect()
    };
    for r in records {
        let Some(path) = r.get("t").and_then(Value::as_str) else {
            continue;
        };
        let (users, groups) = tenants.entry(path.to_string()).or_insert_with(|| {
            let t = doc.get("tenants").and_then(|t| t.get(path));
            (
                index(t.and_then(|t| t.get("users"))),
                index(t.and_then(|t| t.get("groups"))),
            )
        });
        if r.get("clear") == Some(&Value::Bool(true)) {
            users.clear();
            groups.clear();
            continue;
        }
        let items = match r.get("k").and_then(Value::as_str) {
            Some("Group") => &mut *groups,
            _ => &mut *users,
        };
        let id = r.get("id").and_then(Value::as_str).unwrap_or_default();
        match r.get("doc") {
            Some(Value::Null) | None => {
                items.shift_remove(id);
            }
            Some(d) => {
                items.insert(id.to_string(), d.clone());
            }
        }
    }
    if !doc.get("tenants").is_some_and(Value::is_object) {
        doc["tenants"] = json!({});
    }
    for (path, (users, groups)) in tenants {
        let t = &mut doc["tenants"][path.as_str()];
        if !t.is_object() {
            *t = json!({});
        }
        t["users"] = Value::Array(users.into_values().collect());
        t["groups"] = Value::Array(groups.into_values().collect());
    }
}

/// Why a write could not be made durable.
#[derive(Debug, Clone, thiserror::Error)]
#[error("the write log {path} failed: {why}")]
pub struct LogFailed {
    /// The log file.
    pub path: String,
    /// The I/O error.
    pub why: String,
}

#[derive(Debug, Default)]
struct Pending {
    /// Framed records not yet written.
    buf: Vec<u8>,
    /// Number of the last record batch appended (the records of one write share a number).
    appended: u64,
    /// Drop what is durable up to this number (a snapshot covers it).
    trim: Option<u64>,
    /// Stop the writer thread.
    closed: bool,
}

/// How far the log is on disk.
#[derive(Debug, Clone, Default)]
struct Durable {
    upto: u64,
    failed: Option<LogFailed>,
}

/// The open write log and its writer thread.
#[derive(Debug)]
pub struct WriteLog {
    path: PathBuf,
    pending: Mutex<Pending>,
    wake: Condvar,
    durable: tokio::sync::watch::Sender<Durable>,
}

impl WriteLog {
    /// Starts a fresh, empty log at `path` (replacing any old one) headed by `mount`, and its
    /// writer thread.
    pub fn start(path: &Path, mount: &Value) -> io::Result<Arc<WriteLog>> {
        let mut header = Vec::new();
        frame(
            &mut header,
            json!({"scimock-wal": 1, "mount": mount})
                .to_string()
                .as_bytes(),
        );
        let mut t = Temp::create(path)?;
        t.writer().write_all(&header)?;
        let file = t.commit()?;
        let log = Arc::new(WriteLog {
            path: path.to_path_buf(),
            pending: Mutex::new(Pending::default()),
            wake: Condvar::new(),
            durable: tokio::sync::watch::Sender::new(Durable::default()),
        });
        let writer = log.clone();
        std::thread::Builder::new()
            .name("scimock-wal".into())
            .spawn(move || writer.run(file, header))?;
        Ok(log)
    }

    /// Appends framed records; returns the number to wait for with [`WriteLog::durable`].
    pub fn append(&self, records: &[u8]) -> u64 {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.buf.extend_from_slice(records);
        p.appended += 1;
        self.wake.notify_one();
        p.appended
    }

    /// The number of the last append.
    pub fn appended(&self) -> u64 {
        self.pending
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .appended
    }

    /// Waits until append number `n` (and all before it) is on disk.
    pub async fn durable(&self, n: u64) -> Result<(), LogFailed> {
        let mut rx = self.durable.subscribe();
        let d = rx
            .wait_for(|d| d.upto >= n || d.failed.is_some())
            .await
            .map(|d| d.clone())
            .unwrap_or_default();
        match d.failed {
            Some(f) if d.upto < n => Err(f),
            _ => Ok(()),
        }
    }

    /// Drops the records up to append number `n` (a snapshot on disk covers them).
    pub fn trim(&self, n: u64) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.trim = Some(p.trim.map_or(n, |t| t.max(n)));
        self.wake.notify_one();
    }

    /// Writes what is pending and stops the writer thread.
    pub fn close(&self) {
        let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
        p.closed = true;
        self.wake.notify_one();
    }

    /// The writer thread: write and fsync what accumulated, publish, repeat.
    fn run(self: Arc<Self>, mut file: File, header: Vec<u8>) {
        // (append number, file length after it), for trimming.
        let mut ends: VecDeque<(u64, u64)> = VecDeque::new();
        let mut len = header.len() as u64;
        loop {
            let (buf, upto, trim, closed) = {
                let mut p = self.pending.lock().unwrap_or_else(|e| e.into_inner());
                while p.buf.is_empty() && p.trim.is_none() && !p.closed {
                    p = self.wake.wait(p).unwrap_or_else(|e| e.into_inner());
                }
                (
                    std::mem::take(&mut p.buf),
                    p.appended,
                    p.trim.take(),
                    p.closed,
                )
            };
            if !buf.is_empty() {
                let wrote = file.write_all(&buf).and_then(|()| file.sync_data());
                if let Err(e) = wrote {
                    self.fail(&e);
                    return;
                }
                len += buf.len() as u64;
                ends.push_back((upto, len));
                self.durable.send_modify(|d| d.upto = upto);
            }
            if let Some(n) = trim {
                match self.compact(&mut file, &header, &mut ends, &mut len, n) {
                    Ok(()) => {}
                    Err(e) => {
                        self.fail(&e);
                        return;
                    }
                }
            }
            if closed {
                return;
            }
        }
    }

    fn fail(&self, e: &io::Error) {
        let failed = LogFailed {
            path: self.path.display().to_string(),
            why: e.to_string(),
        };
        self.durable.send_modify(|d| d.failed = Some(failed));
    }

    /// Rewrites the log without the records up to append number `n`.
    fn compact(
        &self,
        file: &mut File,
        header: &[u8],
        ends: &mut VecDeque<(u64, u64)>,
        len: &mut u64,
        n: u64,
    ) -> io::Result<()> {
        let mut cut = None;
        while ends.front().is_some_and(|(a, _)| *a <= n) {
            cut = ends.pop_front().map(|(_, end)| end);
        }
        let Some(cut) = cut else {
            return Ok(());
        };
        let mut rest = Vec::new();
        let mut old = File::open(&self.path)?;
        old.seek(SeekFrom::Start(cut))?;
        old.read_to_end(&mut rest)?;
        let mut t = Temp::create(&self.path)?;
        t.writer().write_all(header)?;
        t.writer().write_all(&rest)?;
        *file = t.commit()?;
        let shift = cut - header.len() as u64;
        for e in ends.iter_mut() {
            e.1 -= shift;
        }
        *len -= shift;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dir(name: &str) -> PathBuf {
        let d = std::env::temp_dir().join(format!("scimock-wal-{name}-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&d);
        std::fs::create_dir_all(&d).unwrap();
        d
    }

    fn rec(v: Value) -> Vec<u8> {
        let mut out = Vec::new();
        frame(&mut out, v.to_string().as_bytes());
        out
    }

    #[test]
    fn replay_applies_upserts_deletes_and_clears_in_order() {
        let mut doc = json!({"tenants": {"/scim/v2": {"users": [
            {"id": "a", "userName": "a"}, {"id": "b", "userName": "b"}
        ], "groups": []}}});
        let records = vec![
            json!({"t": "/scim/v2", "k": "User", "id": "a", "doc": {"id": "a", "userName": "a2"}}),
            json!({"t": "/scim/v2", "k": "User", "id": "b", "doc": null}),
            json!({"t": "/scim/v2", "k": "User", "id": "c", "doc": {"id": "c", "userName": "c"}}),
            json!({"t": "/other", "clear": true}),
            json!({"t": "/other", "k": "Group", "id": "g", "doc": {"id": "g"}}),
        ];
        replay(&mut doc, &records);
        let users = &doc["tenants"]["/scim/v2"]["users"];
        assert_eq!(
            users,
            &json!([{"id": "a", "userName": "a2"}, {"id": "c", "userName": "c"}])
        );
        assert_eq!(doc["tenants"]["/other"]["groups"], json!([{"id": "g"}]));
        // Replaying again gives the same state (records are idempotent).
        let once = doc.clone();
        replay(&mut doc, &records);
        assert_eq!(doc, once);
    }

    #[test]
    fn a_torn_or_corrupt_tail_is_dropped_and_counted() {
        let d = dir("torn");
        let path = d.join("s.wal");
        let mut bytes = rec(json!({"scimock-wal": 1}));
        bytes.extend(rec(json!({"t": "/x", "clear": true})));
        let whole = bytes.len();
        let mut bad = rec(json!({"t": "/x", "k": "User", "id": "a", "doc": null}));
        let last = bad.len() - 1;
        bad[last] ^= 0xff;
        bytes.extend(&bad);
        std::fs::write(&path, &bytes).unwrap();
        let back = read(&path).unwrap().unwrap();
        assert_eq!(back.records.len(), 1);
        assert_eq!(back.torn, bytes.len() - whole);
        assert!(read(&d.join("none.wal")).unwrap().is_none());
    }

    #[tokio::test]
    async fn appended_records_are_durable_and_a_trim_keeps_only_later_ones() {
        let d = dir("trim");
        let path = d.join("s.wal");
        let log = WriteLog::start(&path, &json!({"vendor": "generic"})).unwrap();
        let first = log.append(&rec(json!({"t": "/x", "clear": true})));
        log.durable(first).await.unwrap();
        let second = log.append(&rec(json!({"t": "/y", "clear": true})));
        log.durable(second).await.unwrap();
        log.trim(first);
        let third = log.append(&rec(json!({"t": "/z", "clear": true})));
        log.durable(third).await.unwrap();
        log.close();
        // The writer handles the trim before or with the third append.
        for _ in 0..100 {
            let back = read(&path).unwrap().unwrap();
            if back.records.len() == 2 {
                assert_eq!(back.header.unwrap()["mount"]["vendor"], "generic");
                assert_eq!(back.records[0]["t"], "/y");
                assert_eq!(back.records[1]["t"], "/z");
                assert_eq!(back.torn, 0);
                return;
            }
            std::thread::sleep(std::time::Duration::from_millis(10));
        }
        panic!("the log was not trimmed: {:?}", read(&path).unwrap());
    }
}
