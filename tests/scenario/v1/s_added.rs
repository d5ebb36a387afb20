//! A table that appears, using an enum that appears, with a declared index on two columns that
//! entity attributes cannot express.

use sea_orm::entity::prelude::*;
use sea_orm::sea_query::{Index, IndexCreateStatement};

#[derive(Debug, Clone, Copy, PartialEq, Eq, EnumIter, DeriveActiveEnum)]
#[sea_orm(rs_type = "String", db_type = "Enum", enum_name = "s_status")]
pub enum Status {
    #[sea_orm(string_value = "on")]
    On,
    #[sea_orm(string_value = "off")]
    Off,
}

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_added")]
pub struct Model {
    #[sea_orm(primary_key, auto_increment = false)]
    pub id: Uuid,
    pub status: Status,
    pub parent_id: Option<i32>,
    #[sea_orm(belongs_to, from = "parent_id", to = "id", on_delete = "Cascade")]
    pub parent: HasOne<super::s_parent::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}

/// Indexes under names of their own (see the README's Autogenerate section).
pub fn indexes() -> Vec<IndexCreateStatement> {
    vec![Index::create().name("ix_s_added_status_parent").table(Entity).col(Column::Status).col(Column::ParentId).to_owned()]
}
