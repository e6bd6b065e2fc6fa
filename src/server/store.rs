//! The in-memory store: resources with server-assigned ids, creation order, timestamps
//! and versions from one counter (so a version changes on every write, even twice in the
//! same second), and the group membership index.

use std::collections::{HashMap, HashSet};

use serde_json::{Map, Value};
use time::OffsetDateTime;
use time::macros::format_description;

use super::schema_defs::ResourceKind;

/// A stored resource. `attrs` holds the client-writable attributes under their canonical
/// names (extensions under their URN); id, meta, schemas and User.groups are derived.
#[derive(Debug, Clone)]
pub struct Stored {
    pub kind: ResourceKind,
    pub id: String,
    pub seq: u64,
    pub attrs: Map<String, Value>,
    pub created: String,
    pub last_modified: String,
    pub version: u64,
    /// Deleted but still holding its userName (the `deleted-username-taken` misbehaviour).
    pub tombstone: bool,
}

impl Stored {
    /// Members of a group as (id, type) pairs; empty for users.
    pub fn members(&self) -> Vec<(&str, &str)> {
        let Some(Value::Array(items)) = self.attrs.get("members") else {
            return Vec::new();
        };
        items
            .iter()
            .filter_map(|item| {
                let value = item.get("value")?.as_str()?;
                let kind = item.get("type").and_then(Value::as_str).unwrap_or("User");
                Some((value, kind))
            })
            .collect()
    }

    /// The name a member list or manager shows for this resource.
    pub fn display_name(&self) -> Option<&str> {
        let text = |name: &str| self.attrs.get(name).and_then(Value::as_str);
        match self.kind {
            ResourceKind::User => text("displayName").or_else(|| text("userName")),
            ResourceKind::Group => text("displayName"),
        }
    }
}

#[derive(Debug, Default)]
pub struct Store {
    resources: HashMap<String, Stored>,
    next_seq: u64,
    clock: u64,
    /// Ids of deleted resources, kept for the `deleted-ids-reused` misbehaviour.
    freed_ids: Vec<String>,
}

/// `2026-11-03T09:15:27.123Z`: fixed width, UTC, milliseconds.
pub fn now_timestamp() -> String {
    let format =
        format_description!("[year]-[month]-[day]T[hour]:[minute]:[second].[subsecond digits:3]Z");
    OffsetDateTime::now_utc()
        .format(&format)
        .unwrap_or_else(|_| "1970-01-01T00:00:00.000Z".to_string())
}

impl Store {
    /// A live resource of the given kind.
    pub fn get(&self, kind: ResourceKind, id: &str) -> Option<&Stored> {
        self.resources
            .get(id)
            .filter(|stored| stored.kind == kind && !stored.tombstone)
    }

    /// A live resource of any kind.
    pub fn get_any(&self, id: &str) -> Option<&Stored> {
        self.resources.get(id).filter(|stored| !stored.tombstone)
    }

    /// Live resources of a kind, in creation order.
    pub fn live(&self, kind: ResourceKind) -> Vec<&Stored> {
        let mut out: Vec<&Stored> = self
            .resources
            .values()
            .filter(|stored| stored.kind == kind && !stored.tombstone)
            .collect();
        out.sort_by_key(|stored| stored.seq);
        out
    }

    /// Every resource of a kind, tombstones included.
    pub fn with_tombstones(&self, kind: ResourceKind) -> impl Iterator<Item = &Stored> {
        self.resources
            .values()
            .filter(move |stored| stored.kind == kind)
    }

    fn tick(&mut self) -> u64 {
        self.clock += 1;
        self.clock
    }

    /// Add a resource with a fresh id and return the id.
    pub fn insert(&mut self, kind: ResourceKind, attrs: Map<String, Value>) -> String {
        let id = crate::scim::random_uuid().to_string();
        let now = now_timestamp();
        self.next_seq += 1;
        let version = self.tick();
        let stored = Stored {
            kind,
            id: id.clone(),
            seq: self.next_seq,
            attrs,
            created: now.clone(),
            last_modified: now,
            version,
            tombstone: false,
        };
        self.resources.insert(id.clone(), stored);
        id
    }

    /// Give a resource another id (the `ids-with-spaces` misbehaviour); returns the id it
    /// has afterwards.
    pub fn rekey(&mut self, id: &str, new_id: String) -> String {
        match self.resources.remove(id) {
            Some(mut stored) => {
                stored.id = new_id.clone();
                self.resources.insert(new_id.clone(), stored);
                new_id
            }
            None => id.to_string(),
        }
    }

    /// Replace a resource's attributes; a write, so lastModified and version move on
    /// (the version stays when `stale_version`, the `etag-stale` misbehaviour).
    pub fn update(&mut self, id: &str, attrs: Map<String, Value>, stale_version: bool) {
        if let Some(stored) = self.resources.get_mut(id) {
            stored.attrs = attrs;
        }
        self.touch(id, stale_version);
    }

    /// Record that a resource's representation changed without a write to its attributes
    /// (e.g. a user's groups).
    pub fn touch(&mut self, id: &str, stale_version: bool) {
        let version = self.tick();
        if let Some(stored) = self.resources.get_mut(id) {
            stored.last_modified = now_timestamp();
            if !stale_version {
                stored.version = version;
            }
        }
    }

    /// Remember a deleted resource's id, for the `deleted-ids-reused` misbehaviour.
    pub fn free_id(&mut self, id: &str) {
        self.freed_ids.push(id.to_string());
    }

    /// Add a resource under the id of the last deleted one, if any (the
    /// `deleted-ids-reused` misbehaviour); returns the id.
    pub fn insert_reusing(&mut self, kind: ResourceKind, attrs: Map<String, Value>) -> String {
        let id = self.insert(kind, attrs);
        match self.freed_ids.pop() {
            Some(old) if !self.resources.contains_key(&old) => self.rekey(&id, old),
            _ => id,
        }
    }

    pub fn remove(&mut self, id: &str) -> Option<Stored> {
        self.resources.remove(id)
    }

    pub fn tombstone(&mut self, id: &str) {
        if let Some(stored) = self.resources.get_mut(id) {
            stored.tombstone = true;
        }
    }

    /// Who belongs to which group, built once per request that needs it.
    pub fn membership(&self) -> Membership {
        let mut parents: HashMap<String, Vec<(u64, String)>> = HashMap::new();
        for group in self.live(ResourceKind::Group) {
            for (member, _) in group.members() {
                parents
                    .entry(member.to_string())
                    .or_default()
                    .push((group.seq, group.id.clone()));
            }
        }
        let parents = parents
            .into_iter()
            .map(|(member, mut groups)| {
                groups.sort();
                groups.dedup();
                (member, groups.into_iter().map(|(_, id)| id).collect())
            })
            .collect();
        Membership { parents }
    }

    /// Every live user inside a group, directly or through nested groups.
    pub fn users_within(&self, group_id: &str) -> HashSet<String> {
        let mut users = HashSet::new();
        let mut seen = HashSet::new();
        let mut pending = vec![group_id.to_string()];
        while let Some(id) = pending.pop() {
            if !seen.insert(id.clone()) {
                continue;
            }
            let Some(group) = self.get(ResourceKind::Group, &id) else {
                continue;
            };
            for (member, _) in group.members() {
                match self.get_any(member).map(|stored| stored.kind) {
                    Some(ResourceKind::User) => {
                        users.insert(member.to_string());
                    }
                    Some(ResourceKind::Group) => pending.push(member.to_string()),
                    None => {}
                }
            }
        }
        users
    }

    /// Would adding `member` to `group` make a group contain itself?
    pub fn would_cycle(&self, group_id: &str, member: &str) -> bool {
        let mut seen = HashSet::new();
        let mut pending = vec![member.to_string()];
        while let Some(id) = pending.pop() {
            if id == group_id {
                return true;
            }
            if !seen.insert(id.clone()) {
                continue;
            }
            if let Some(group) = self.get(ResourceKind::Group, &id) {
                pending.extend(group.members().into_iter().map(|(m, _)| m.to_string()));
            }
        }
        false
    }
}

/// Group membership by member: the groups that list a resource directly.
#[derive(Debug, Default)]
pub struct Membership {
    parents: HashMap<String, Vec<String>>,
}

/// One entry of a User's `groups`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct GroupRef {
    pub id: String,
    pub direct: bool,
}

impl Membership {
    /// The groups a resource belongs to: direct ones first (in group creation order),
    /// then those reached through nested groups.
    pub fn groups_of(&self, id: &str) -> Vec<GroupRef> {
        let mut out: Vec<GroupRef> = Vec::new();
        let mut seen: HashSet<&str> = HashSet::new();
        let direct = self.parents.get(id).map(Vec::as_slice).unwrap_or_default();
        let mut pending: Vec<&str> = Vec::new();
        for group in direct {
            if seen.insert(group) {
                out.push(GroupRef {
                    id: group.clone(),
                    direct: true,
                });
                pending.push(group);
            }
        }
        while let Some(current) = pending.pop() {
            for parent in self
                .parents
                .get(current)
                .map(Vec::as_slice)
                .unwrap_or_default()
            {
                if seen.insert(parent) {
                    out.push(GroupRef {
                        id: parent.clone(),
                        direct: false,
                    });
                    pending.push(parent);
                }
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn group(store: &mut Store, members: &[(&str, &str)]) -> String {
        let members: Vec<Value> = members
            .iter()
            .map(|(value, kind)| json!({"value": value, "type": kind}))
            .collect();
        let attrs = json!({"displayName": "g", "members": members});
        store.insert(ResourceKind::Group, attrs.as_object().cloned().unwrap())
    }

    #[test]
    fn versions_differ_on_every_write() {
        let mut store = Store::default();
        let id = store.insert(ResourceKind::User, Map::new());
        let first = store.get(ResourceKind::User, &id).unwrap().version;
        store.touch(&id, false);
        store.touch(&id, false);
        let third = store.get(ResourceKind::User, &id).unwrap().version;
        assert!(third > first + 1);
        store.touch(&id, true);
        assert_eq!(store.get(ResourceKind::User, &id).unwrap().version, third);
    }

    #[test]
    fn nested_groups_give_indirect_membership_and_cycles_are_seen() {
        let mut store = Store::default();
        let user = store.insert(ResourceKind::User, Map::new());
        let inner = group(&mut store, &[(&user, "User")]);
        let outer = group(&mut store, &[(&inner, "Group")]);
        let groups = store.membership().groups_of(&user);
        assert_eq!(
            groups,
            vec![
                GroupRef {
                    id: inner.clone(),
                    direct: true
                },
                GroupRef {
                    id: outer.clone(),
                    direct: false
                }
            ]
        );
        assert!(store.users_within(&outer).contains(&user));
        assert!(store.would_cycle(&inner, &outer));
        assert!(!store.would_cycle(&outer, &user));
    }

    #[test]
    fn timestamps_have_fixed_width() {
        let stamp = now_timestamp();
        assert_eq!(stamp.len(), "2026-11-03T09:15:27.123Z".len(), "{stamp}");
        assert!(stamp.ends_with('Z'));
    }
}
