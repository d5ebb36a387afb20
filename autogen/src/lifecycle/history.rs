//! The migration history: which migrations exist, which are applied, and what a target means.
//!
//! Everything here is pure: the runner reads the applied set from the database and hands it in.

use std::collections::HashMap;
use std::str::FromStr;

use crate::{Error, Result};

/// One row of the bookkeeping table: a migration recorded as applied.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AppliedRecord {
    /// The migration's full name.
    pub version: String,
    /// When it was applied, in seconds since the Unix epoch.
    pub applied_at: i64,
    /// The SHA-256 of its source when it was applied, where that was recorded.
    pub checksum: Option<String>,
}

/// One migration of the project with its state in the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MigrationState {
    /// The migration's full name, `m{YYYYMMDD}_{HHMMSS}_{slug}`.
    pub name: String,
    /// When it was applied, in seconds since the Unix epoch; `None` while it is pending.
    pub applied_at: Option<i64>,
    /// The SHA-256 of its source when it was applied, where that was recorded.
    pub applied_checksum: Option<String>,
}

impl MigrationState {
    /// Whether the migration is recorded as applied.
    pub fn is_applied(&self) -> bool {
        self.applied_at.is_some()
    }
}

/// The project's migrations, oldest first, joined with the database's bookkeeping.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct History {
    /// Every migration of the project, in the order the migrator lists them.
    pub migrations: Vec<MigrationState>,
    /// Migrations recorded in the database that the project does not have.
    pub unknown_applied: Vec<AppliedRecord>,
}

/// Where `upgrade` should take the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum UpgradeTarget {
    /// Every pending migration.
    Head,
    /// The next N pending migrations.
    Relative(usize),
    /// Every pending migration up to and including this revision.
    Revision(String),
}

/// Where `downgrade` should take the database.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DowngradeTarget {
    /// Revert the last N applied migrations.
    Relative(usize),
    /// Revert everything applied after this revision, which stays applied.
    Revision(String),
    /// Revert every applied migration.
    Base,
}

fn parse_count(text: &str, target: &str) -> Result<usize> {
    match text.parse::<usize>() {
        Ok(n) if n > 0 => Ok(n),
        _ => Err(Error::InvalidTarget(format!(
            "invalid target `{target}`: expected a positive number of steps after the sign"
        ))),
    }
}

fn empty_target() -> Error {
    Error::InvalidTarget("empty target: give a migration name or prefix, `head`, `base` or a number of steps".to_owned())
}

impl FromStr for UpgradeTarget {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            Err(empty_target())
        } else if text == "head" {
            Ok(Self::Head)
        } else if let Some(count) = text.strip_prefix('+') {
            Ok(Self::Relative(parse_count(count, text)?))
        } else if text.starts_with('-') {
            Err(Error::InvalidTarget(format!(
                "invalid upgrade target `{text}`: to go back, use `downgrade {text}`"
            )))
        } else {
            Ok(Self::Revision(text.to_owned()))
        }
    }
}

impl FromStr for DowngradeTarget {
    type Err = Error;

    fn from_str(text: &str) -> Result<Self> {
        let text = text.trim();
        if text.is_empty() {
            Err(empty_target())
        } else if text == "base" {
            Ok(Self::Base)
        } else if let Some(count) = text.strip_prefix('-') {
            Ok(Self::Relative(parse_count(count, text)?))
        } else if text.starts_with('+') {
            Err(Error::InvalidTarget(format!(
                "invalid downgrade target `{text}`: to go forward, use `upgrade {text}`"
            )))
        } else {
            Ok(Self::Revision(text.to_owned()))
        }
    }
}

impl History {
    /// Joins the project's migration names (oldest first) with the applied records.
    pub fn new(names: impl IntoIterator<Item = String>, applied: Vec<AppliedRecord>) -> Self {
        let mut applied_at: HashMap<String, (i64, Option<String>)> = applied
            .iter()
            .map(|record| (record.version.clone(), (record.applied_at, record.checksum.clone())))
            .collect();
        let migrations: Vec<MigrationState> = names
            .into_iter()
            .map(|name| {
                let record = applied_at.remove(&name);
                MigrationState {
                    applied_at: record.as_ref().map(|r| r.0),
                    applied_checksum: record.and_then(|r| r.1),
                    name,
                }
            })
            .collect();
        let unknown_applied = applied
            .into_iter()
            .filter(|record| applied_at.contains_key(&record.version))
            .collect();
        Self {
            migrations,
            unknown_applied,
        }
    }

    /// The position of the current revision: the last applied migration, `None` at base.
    pub fn current(&self) -> Option<usize> {
        self.migrations.iter().rposition(MigrationState::is_applied)
    }

    /// The migration at a position.
    pub fn get(&self, index: usize) -> &MigrationState {
        &self.migrations[index]
    }

    /// Positions of the pending migrations, oldest first.
    pub fn pending(&self) -> Vec<usize> {
        (0..self.migrations.len())
            .filter(|&i| !self.migrations[i].is_applied())
            .collect()
    }

    /// Positions of the applied migrations, oldest first.
    pub fn applied(&self) -> Vec<usize> {
        (0..self.migrations.len())
            .filter(|&i| self.migrations[i].is_applied())
            .collect()
    }

    /// Finds a migration by its full name or by a unique prefix of it (the leading `m` may be
    /// left out); `head` names the newest migration.
    pub fn resolve(&self, revision: &str) -> Result<usize> {
        let revision = revision.trim();
        if revision.is_empty() {
            return Err(Error::UnknownRevision(revision.to_owned()));
        }
        if revision == "head" && !self.migrations.is_empty() {
            return Ok(self.migrations.len() - 1);
        }
        if let Some(exact) = self.migrations.iter().position(|m| m.name == revision) {
            return Ok(exact);
        }
        let matches: Vec<usize> = (0..self.migrations.len())
            .filter(|&i| {
                let name = &self.migrations[i].name;
                name.starts_with(revision)
                    || name.strip_prefix('m').is_some_and(|rest| rest.starts_with(revision))
            })
            .collect();
        match matches.as_slice() {
            [] => Err(Error::UnknownRevision(revision.to_owned())),
            [one] => Ok(*one),
            many => Err(Error::AmbiguousRevision {
                prefix: revision.to_owned(),
                candidates: many
                    .iter()
                    .map(|&i| self.migrations[i].name.clone())
                    .collect(),
            }),
        }
    }

    /// The positions to apply, in order, to reach `target`; empty when already there.
    pub fn plan_upgrade(&self, target: &UpgradeTarget) -> Result<Vec<usize>> {
        let pending = self.pending();
        match target {
            UpgradeTarget::Head => Ok(pending),
            UpgradeTarget::Relative(count) => {
                if !pending.is_empty() && pending.len() < *count {
                    return Err(Error::InvalidTarget(format!(
                        "cannot upgrade +{count}: only {} migration{} pending",
                        pending.len(),
                        if pending.len() == 1 { " is" } else { "s are" }
                    )));
                }
                Ok(pending.into_iter().take(*count).collect())
            }
            UpgradeTarget::Revision(revision) => {
                let index = self.resolve(revision)?;
                let target = &self.migrations[index];
                if target.is_applied() {
                    let current = self.current().expect("an applied migration exists");
                    if current > index {
                        return Err(Error::InvalidTarget(format!(
                            "{} is behind the current revision {}; use `downgrade {}` to go back",
                            target.name, self.migrations[current].name, target.name
                        )));
                    }
                }
                Ok(pending.into_iter().filter(|&i| i <= index).collect())
            }
        }
    }

    /// The positions to revert, newest first, to reach `target`; empty when already there.
    pub fn plan_downgrade(&self, target: &DowngradeTarget) -> Result<Vec<usize>> {
        let mut applied = self.applied();
        applied.reverse();
        match target {
            DowngradeTarget::Base => Ok(applied),
            DowngradeTarget::Relative(count) => {
                if !applied.is_empty() && applied.len() < *count {
                    return Err(Error::InvalidTarget(format!(
                        "cannot downgrade -{count}: only {} migration{} applied",
                        applied.len(),
                        if applied.len() == 1 { " is" } else { "s are" }
                    )));
                }
                Ok(applied.into_iter().take(*count).collect())
            }
            DowngradeTarget::Revision(revision) => {
                let index = self.resolve(revision)?;
                let target = &self.migrations[index];
                if !target.is_applied() {
                    return Err(Error::InvalidTarget(format!(
                        "{} is not applied, so the database cannot go back to it; use `upgrade {}` to go forward",
                        target.name, target.name
                    )));
                }
                Ok(applied.into_iter().filter(|&i| i > index).collect())
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const NAMES: [&str; 4] = [
        "m20260101_000000_init",
        "m20260102_000000_users",
        "m20260102_120000_orgs",
        "m20260201_000000_tokens",
    ];

    fn history(applied: &[usize]) -> History {
        let records = applied
            .iter()
            .map(|&i| AppliedRecord {
                version: NAMES[i].to_owned(),
                applied_at: 1_700_000_000 + i as i64,
                checksum: None,
            })
            .collect();
        History::new(NAMES.iter().map(|n| n.to_string()), records)
    }

    #[test]
    fn joins_names_with_records() {
        let h = history(&[0, 1]);
        assert_eq!(h.applied(), vec![0, 1]);
        assert_eq!(h.pending(), vec![2, 3]);
        assert_eq!(h.current(), Some(1));
        assert_eq!(h.get(1).applied_at, Some(1_700_000_001));
        assert!(h.unknown_applied.is_empty());
        assert_eq!(history(&[]).current(), None);
    }

    #[test]
    fn keeps_records_the_project_does_not_know() {
        let records = vec![AppliedRecord {
            version: "m20250101_000000_gone".into(),
            applied_at: 1,
            checksum: None,
        }];
        let h = History::new(NAMES.iter().map(|n| n.to_string()), records.clone());
        assert_eq!(h.unknown_applied, records);
        assert_eq!(h.current(), None);
    }

    #[test]
    fn resolves_full_names_and_unique_prefixes() {
        let h = history(&[]);
        assert_eq!(h.resolve("m20260101_000000_init").unwrap(), 0);
        assert_eq!(h.resolve("m20260101").unwrap(), 0);
        assert_eq!(h.resolve("20260201").unwrap(), 3);
        assert_eq!(h.resolve("head").unwrap(), 3);
        match h.resolve("m20260102") {
            Err(Error::AmbiguousRevision { candidates, .. }) => {
                assert_eq!(candidates, vec![NAMES[1], NAMES[2]])
            }
            other => panic!("expected ambiguity, got {other:?}"),
        }
        assert!(matches!(h.resolve("m2027"), Err(Error::UnknownRevision(_))));
        assert!(matches!(h.resolve(""), Err(Error::UnknownRevision(_))));
    }

    #[test]
    fn parses_targets() {
        assert_eq!("head".parse::<UpgradeTarget>().unwrap(), UpgradeTarget::Head);
        assert_eq!("+2".parse::<UpgradeTarget>().unwrap(), UpgradeTarget::Relative(2));
        assert_eq!(
            "m2026".parse::<UpgradeTarget>().unwrap(),
            UpgradeTarget::Revision("m2026".into())
        );
        assert!("+0".parse::<UpgradeTarget>().is_err());
        assert!("+x".parse::<UpgradeTarget>().is_err());
        assert!("-1".parse::<UpgradeTarget>().is_err());
        assert_eq!("-3".parse::<DowngradeTarget>().unwrap(), DowngradeTarget::Relative(3));
        assert_eq!("base".parse::<DowngradeTarget>().unwrap(), DowngradeTarget::Base);
        assert_eq!(
            "m2026".parse::<DowngradeTarget>().unwrap(),
            DowngradeTarget::Revision("m2026".into())
        );
        assert!("+1".parse::<DowngradeTarget>().is_err());
        // An empty target is a mistake, not "the default".
        assert!(matches!("".parse::<UpgradeTarget>(), Err(Error::InvalidTarget(_))));
        assert!(matches!(" ".parse::<DowngradeTarget>(), Err(Error::InvalidTarget(_))));
    }

    #[test]
    fn plans_upgrades() {
        let h = history(&[0]);
        assert_eq!(h.plan_upgrade(&UpgradeTarget::Head).unwrap(), vec![1, 2, 3]);
        assert_eq!(h.plan_upgrade(&UpgradeTarget::Relative(2)).unwrap(), vec![1, 2]);
        assert_eq!(
            h.plan_upgrade(&UpgradeTarget::Revision("m20260102_12".into())).unwrap(),
            vec![1, 2]
        );
        assert!(h.plan_upgrade(&UpgradeTarget::Relative(4)).is_err());
        let at_head = history(&[0, 1, 2, 3]);
        assert!(at_head.plan_upgrade(&UpgradeTarget::Head).unwrap().is_empty());
        assert!(at_head.plan_upgrade(&UpgradeTarget::Relative(1)).unwrap().is_empty());
        assert!(at_head
            .plan_upgrade(&UpgradeTarget::Revision("head".into()))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn refuses_to_upgrade_backwards() {
        let h = history(&[0, 1, 2]);
        let err = h
            .plan_upgrade(&UpgradeTarget::Revision("m20260101".into()))
            .unwrap_err();
        assert!(err.to_string().contains("use `downgrade"), "{err}");
        // The current revision itself is "already there", not an error.
        assert!(h
            .plan_upgrade(&UpgradeTarget::Revision("m20260102_12".into()))
            .unwrap()
            .is_empty());
    }

    #[test]
    fn plans_downgrades() {
        let h = history(&[0, 1, 2]);
        assert_eq!(h.plan_downgrade(&DowngradeTarget::Relative(1)).unwrap(), vec![2]);
        assert_eq!(h.plan_downgrade(&DowngradeTarget::Base).unwrap(), vec![2, 1, 0]);
        assert_eq!(
            h.plan_downgrade(&DowngradeTarget::Revision("m20260101".into())).unwrap(),
            vec![2, 1]
        );
        assert!(h
            .plan_downgrade(&DowngradeTarget::Revision("m20260102_12".into()))
            .unwrap()
            .is_empty());
        assert!(h.plan_downgrade(&DowngradeTarget::Relative(4)).is_err());
        let err = h
            .plan_downgrade(&DowngradeTarget::Revision("m20260201".into()))
            .unwrap_err();
        assert!(err.to_string().contains("is not applied"), "{err}");
        assert!(history(&[]).plan_downgrade(&DowngradeTarget::Base).unwrap().is_empty());
    }
}
