//! Foreign keys that change and go.

use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "s_child")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i32,
    pub parent_id: i32,
    pub other_parent_id: Option<i32>,
    pub third_parent_id: Option<i32>,
    #[sea_orm(belongs_to, from = "parent_id", to = "id", on_delete = "Cascade")]
    pub parent: HasOne<super::s_parent::Entity>,
    #[sea_orm(belongs_to, relation_enum = "OtherParent", from = "other_parent_id", to = "id", on_delete = "SetNull")]
    pub other_parent: HasOne<super::s_parent::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
