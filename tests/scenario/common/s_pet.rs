//! A second table pointing at s_parent, so that a rebuild of s_parent has two referencing tables.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_pet")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub parent_id: i32,
    #[sea_orm(belongs_to, from = "parent_id", to = "id", on_delete = "Cascade")]
    pub parent: HasOne<super::s_parent::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
