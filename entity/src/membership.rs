//! A user's membership of an organization, with a role.

use super::sea_orm_active_enums::MembershipRole;
use sea_orm::entity::prelude::*;

#[sea_orm::model]
#[derive(Clone, Debug, PartialEq, Eq, DeriveEntityModel)]
#[sea_orm(table_name = "memberships")]
pub struct Model {
    #[sea_orm(primary_key)]
    pub id: i64,
    #[sea_orm(unique_key = "membership_user_organization")]
    pub user_id: Uuid,
    #[sea_orm(unique_key = "membership_user_organization")]
    pub organization_id: Uuid,
    pub role: MembershipRole,
    #[sea_orm(default_expr = "Expr::current_timestamp()")]
    pub created_at: DateTimeUtc,
    #[sea_orm(belongs_to, from = "user_id", to = "id", on_delete = "Cascade")]
    pub user: HasOne<super::user::Entity>,
    #[sea_orm(belongs_to, from = "organization_id", to = "id", on_delete = "Cascade")]
    pub organization: HasOne<super::organization::Entity>,
}

impl ActiveModelBehavior for ActiveModel {}
