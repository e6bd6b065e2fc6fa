//! The state of one running service provider, shared by every request, and the
//! per-request context (the absolute base URL that locations are built from).

use std::collections::BTreeSet;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Mutex, RwLock, RwLockReadGuard, RwLockWriteGuard};
use std::time::{Duration, Instant};

use super::config::{RATE_LIMIT_PER_SECOND, ServerConfig, normalize_base_path};
use super::discovery::internal_base;
use super::misbehave::Misbehaviour;
use super::rate::TokenBucket;
use super::schema_defs::ResourceKind;
use super::store::Store;

pub struct Provider {
    pub misbehaviours: BTreeSet<Misbehaviour>,
    pub token: Option<String>,
    pub token_endpoint: Option<super::oauth::TokenEndpoint>,
    pub base_path: String,
    pub emulated: Option<super::emulate::Emulated>,
    /// `http://host:port` of the bound socket, for requests without a Host header.
    pub origin: String,
    store: RwLock<Store>,
    limiter: Mutex<TokenBucket>,
    /// Writes being served right now (the `concurrent-500` misbehaviour).
    writes: AtomicUsize,
}

impl Provider {
    pub fn new(config: &ServerConfig, origin: String) -> Self {
        Provider {
            misbehaviours: config.misbehaviours.clone(),
            token: config.token.clone(),
            token_endpoint: config.token_endpoint.clone(),
            base_path: normalize_base_path(&config.base_path),
            emulated: config.emulated.clone(),
            origin,
            store: RwLock::new(Store::default()),
            limiter: Mutex::new(TokenBucket::new(RATE_LIMIT_PER_SECOND)),
            writes: AtomicUsize::new(0),
        }
    }

    /// Counts a write in until the returned guard drops; `overlaps` says whether another
    /// write was being served when it came in.
    pub fn enter_write(&self) -> WriteInFlight<'_> {
        let before = self.writes.fetch_add(1, Ordering::SeqCst);
        WriteInFlight {
            writes: &self.writes,
            overlaps: before > 0,
        }
    }

    pub fn misbehaves(&self, m: Misbehaviour) -> bool {
        self.misbehaviours.contains(&m)
    }

    /// Every write holds this lock from validation to commit, so concurrent writes never
    /// interleave. A panic cannot leave half a write behind (writes commit last), so a
    /// poisoned lock is still consistent.
    pub fn write(&self) -> RwLockWriteGuard<'_, Store> {
        self.store.write().unwrap_or_else(|e| e.into_inner())
    }

    pub fn read(&self) -> RwLockReadGuard<'_, Store> {
        self.store.read().unwrap_or_else(|e| e.into_inner())
    }

    /// The resource types served (Groups disappear under `no-groups`).
    pub fn kinds(&self) -> Vec<ResourceKind> {
        if self.misbehaves(Misbehaviour::NoGroups) {
            vec![ResourceKind::User]
        } else {
            vec![ResourceKind::User, ResourceKind::Group]
        }
    }

    pub fn serves(&self, kind: ResourceKind) -> bool {
        self.kinds().contains(&kind)
    }

    /// Under `rate-limit`: Ok, or how long the client should wait.
    pub fn admit(&self) -> Result<(), Duration> {
        if !self.misbehaves(Misbehaviour::RateLimit) {
            return Ok(());
        }
        let mut bucket = self.limiter.lock().unwrap_or_else(|e| e.into_inner());
        bucket.try_take(Instant::now())
    }
}

/// A write being served; see `Provider::enter_write`.
pub struct WriteInFlight<'a> {
    writes: &'a AtomicUsize,
    pub overlaps: bool,
}

impl Drop for WriteInFlight<'_> {
    fn drop(&mut self) {
        self.writes.fetch_sub(1, Ordering::SeqCst);
    }
}

/// What one request knows besides its own message.
pub struct Ctx<'a> {
    pub provider: &'a Provider,
    /// Absolute URL of the base path, e.g. `http://127.0.0.1:41234/scim/v2`.
    pub base_url: String,
}

impl Ctx<'_> {
    pub fn misbehaves(&self, m: Misbehaviour) -> bool {
        self.provider.misbehaves(m)
    }

    pub fn location(&self, kind: ResourceKind, id: &str) -> String {
        if self.misbehaves(Misbehaviour::LocationInternalHost) {
            return format!("{}/{}/{id}", internal_base(self), kind.endpoint());
        }
        format!("{}/{}/{id}", self.base_url, kind.endpoint())
    }
}
