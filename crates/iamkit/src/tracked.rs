//! Change tracking, so a durable store writes only what an operation changed.
//!
//! Every mutable part of the [`State`](crate::State) records the keys it changed
//! since the store last took them: [`TrackedMap`] for the maps, and the user,
//! role-assignment and audit tables for their rows. The records are bookkeeping:
//! never serialized, and ignored by equality.

use std::borrow::Borrow;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::ops::Deref;

use serde::{Deserialize, Deserializer, Serialize, Serializer};

/// Bookkeeping that rides along with a value without being part of it: equal to
/// any other, skipped when serializing.
#[derive(Debug, Clone, Default)]
pub(crate) struct Bookkeeping<T>(pub T);

impl<T> PartialEq for Bookkeeping<T> {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// The keys changed (inserted, modified or removed) since they were last taken.
pub(crate) type Changed<K> = Bookkeeping<HashSet<K>>;

impl<K: Eq + Hash> Changed<K> {
    /// Records that `key` changed.
    pub fn mark(&mut self, key: K) {
        self.0.insert(key);
    }

    /// The changed keys, forgetting them.
    pub fn take(&mut self) -> Vec<K> {
        self.0.drain().collect()
    }
}

/// A hash map that remembers which keys changed. Reading goes through `Deref`;
/// every way of changing it marks the keys it touches.
#[derive(Debug, Clone)]
pub(crate) struct TrackedMap<K, V> {
    map: HashMap<K, V>,
    changed: Changed<K>,
}

impl<K, V> Default for TrackedMap<K, V> {
    fn default() -> Self {
        Self {
            map: HashMap::new(),
            changed: Bookkeeping(HashSet::new()),
        }
    }
}

impl<K: Eq + Hash, V: PartialEq> PartialEq for TrackedMap<K, V> {
    /// Maps are equal when they hold the same entries, whatever changed.
    fn eq(&self, other: &Self) -> bool {
        self.map == other.map
    }
}

impl<K, V> Deref for TrackedMap<K, V> {
    type Target = HashMap<K, V>;

    fn deref(&self) -> &Self::Target {
        &self.map
    }
}

impl<K: Eq + Hash + Clone, V> TrackedMap<K, V> {
    /// Inserts or replaces the value of `key`.
    pub fn insert(&mut self, key: K, value: V) -> Option<V> {
        self.changed.mark(key.clone());
        self.map.insert(key, value)
    }

    /// Removes `key`.
    pub fn remove<Q>(&mut self, key: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let (key, value) = self.map.remove_entry(key)?;
        self.changed.mark(key);
        Some(value)
    }

    /// The value of `key`, to change (marked as changed).
    pub fn get_mut<Q>(&mut self, key: &Q) -> Option<&mut V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let key = self.map.get_key_value(key)?.0.clone();
        self.changed.mark(key.clone());
        self.map.get_mut::<K>(&key)
    }

    /// The first value matching `wanted`, to change (marked as changed).
    pub fn find_mut(&mut self, mut wanted: impl FnMut(&V) -> bool) -> Option<&mut V> {
        let key = self.map.iter().find(|(_, v)| wanted(v))?.0.clone();
        self.changed.mark(key.clone());
        self.map.get_mut(&key)
    }

    /// The value of `key`, inserting the default first if there is none.
    pub fn get_or_default(&mut self, key: K) -> &mut V
    where
        V: Default,
    {
        self.changed.mark(key.clone());
        self.map.entry(key).or_default()
    }

    /// Keeps only the entries matching `keep`.
    pub fn retain(&mut self, mut keep: impl FnMut(&K, &V) -> bool) {
        let changed = &mut self.changed;
        self.map.retain(|k, v| {
            let kept = keep(k, v);
            if !kept {
                changed.mark(k.clone());
            }
            kept
        });
    }

    /// The keys changed since the last call, forgetting them.
    pub fn take_changed(&mut self) -> Vec<K> {
        self.changed.take()
    }

    /// The value of `key`, to change without marking it: for the store itself,
    /// which tracks the changes inside the value.
    pub fn get_untracked_mut(&mut self, key: &K) -> Option<&mut V> {
        self.map.get_mut(key)
    }
}

impl<K: Eq + Hash, V> FromIterator<(K, V)> for TrackedMap<K, V> {
    fn from_iter<I: IntoIterator<Item = (K, V)>>(iter: I) -> Self {
        Self {
            map: iter.into_iter().collect(),
            changed: Bookkeeping(HashSet::new()),
        }
    }
}

impl<K: Serialize + Eq + Hash, V: Serialize> Serialize for TrackedMap<K, V> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        self.map.serialize(serializer)
    }
}

impl<'de, K, V> Deserialize<'de> for TrackedMap<K, V>
where
    K: Deserialize<'de> + Eq + Hash,
    V: Deserialize<'de>,
{
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        Ok(HashMap::<K, V>::deserialize(deserializer)?
            .into_iter()
            .collect())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sorted(mut keys: Vec<u32>) -> Vec<u32> {
        keys.sort_unstable();
        keys
    }

    #[test]
    fn every_change_is_marked_once_and_taken() {
        let mut map: TrackedMap<u32, &str> = [(1, "a"), (2, "b"), (3, "c")].into_iter().collect();
        assert!(map.take_changed().is_empty(), "collecting is not a change");
        map.insert(4, "d");
        *map.get_mut(&1).unwrap() = "A";
        assert_eq!(map.remove(&2), Some("b"));
        assert_eq!(map.remove(&9), None);
        assert!(map.get_mut(&9).is_none());
        assert_eq!(sorted(map.take_changed()), vec![1, 2, 4]);
        assert!(map.take_changed().is_empty());

        map.retain(|k, _| *k != 3);
        *map.find_mut(|v| *v == "d").unwrap() = "D";
        map.get_or_default(7);
        assert_eq!(sorted(map.take_changed()), vec![3, 4, 7]);
        assert_eq!(map.get(&4), Some(&"D"));
        assert_eq!(map.get(&7), Some(&""));
    }

    #[test]
    fn reading_marks_nothing_and_bookkeeping_is_not_compared() {
        let mut a: TrackedMap<u32, u32> = [(1, 1)].into_iter().collect();
        let b = a.clone();
        assert_eq!(a.get(&1), Some(&1));
        assert!(a.contains_key(&1));
        assert!(a.take_changed().is_empty());
        a.insert(1, 1);
        assert_eq!(a, b, "equal contents, different bookkeeping");
        assert_eq!(a.take_changed(), vec![1]);
    }

    #[test]
    fn serializes_as_the_plain_map() {
        let mut map: TrackedMap<String, u32> = TrackedMap::default();
        map.insert("x".into(), 1);
        let json = serde_json::to_string(&map).unwrap();
        assert_eq!(json, r#"{"x":1}"#);
        let back: TrackedMap<String, u32> = serde_json::from_str(&json).unwrap();
        assert_eq!(back, map);
        assert!(back.clone().take_changed().is_empty());
    }
}
