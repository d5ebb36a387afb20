//! Create the OAuth SaaS schema: users, organizations, memberships, OAuth clients and accounts,
//! refresh tokens, API keys and the audit log.

use sea_orm_migration::prelude::extension::postgres::Type;
use sea_orm_migration::prelude::*;
use sea_orm_migration::sea_orm::{ConnectionTrait, DbBackend};

#[derive(DeriveMigrationName)]
pub struct Migration;

#[async_trait::async_trait]
impl MigrationTrait for Migration {
    async fn up(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        let backend = manager.get_database_backend();
        if backend == DbBackend::Postgres {
            manager
                .create_type(
                    Type::create()
                        .as_enum(MembershipRole::Enum)
                        .values(MembershipRole::VALUES)
                        .to_owned(),
                )
                .await?;
        }

        manager
            .create_table(
                Table::create()
                    .table(Users::Table)
                    .comment("People who can sign in")
                    .col(ColumnDef::new(Users::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Users::Email).string_len(255).not_null().unique_key())
                    .col(ColumnDef::new(Users::FullName).string_len(120).not_null())
                    .col(ColumnDef::new(Users::IsActive).boolean().not_null().default(true))
                    .col(
                        ColumnDef::new(Users::EmailVerifiedAt)
                            .timestamp_with_time_zone()
                            .null()
                            .comment("When the address was confirmed; null until then"),
                    )
                    .col(created_at(Users::CreatedAt))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx-users-full_name")
                    .table(Users::Table)
                    .col(Users::FullName)
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Organizations::Table)
                    .comment("Customer accounts")
                    .col(ColumnDef::new(Organizations::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(Organizations::Name).string_len(120).not_null())
                    .col(ColumnDef::new(Organizations::Slug).string_len(63).not_null().unique_key())
                    .col(
                        ColumnDef::new(Organizations::BillingBalance)
                            .decimal_len(12, 2)
                            .not_null()
                            .default(0)
                            .comment("Prepaid balance in the billing currency"),
                    )
                    .col(created_at(Organizations::CreatedAt))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(Memberships::Table)
                    .col(big_id(Memberships::Id))
                    .col(ColumnDef::new(Memberships::UserId).uuid().not_null())
                    .col(ColumnDef::new(Memberships::OrganizationId).uuid().not_null())
                    .col(
                        ColumnDef::new(Memberships::Role)
                            .enumeration(MembershipRole::Enum, MembershipRole::VALUES)
                            .not_null(),
                    )
                    .col(created_at(Memberships::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk-memberships-user_id",
                        (Memberships::Table, Memberships::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk-memberships-organization_id",
                        (Memberships::Table, Memberships::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx-memberships-user_id-organization_id")
                    .table(Memberships::Table)
                    .col(Memberships::UserId)
                    .col(Memberships::OrganizationId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OauthClients::Table)
                    .comment("Registered OAuth applications")
                    .col(ColumnDef::new(OauthClients::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(OauthClients::OrganizationId).uuid().not_null())
                    .col(ColumnDef::new(OauthClients::ClientId).string_len(64).not_null().unique_key())
                    .col(
                        ColumnDef::new(OauthClients::ClientSecretHash)
                            .string_len(255)
                            .not_null()
                            .comment("Argon2 hash of the client secret"),
                    )
                    .col(ColumnDef::new(OauthClients::Name).string_len(120).not_null())
                    .col(ColumnDef::new(OauthClients::Description).text().null())
                    .col(ColumnDef::new(OauthClients::RedirectUris).json().not_null())
                    .col(ColumnDef::new(OauthClients::IsConfidential).boolean().not_null().default(true))
                    .col(created_at(OauthClients::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk-oauth_clients-organization_id",
                        (OauthClients::Table, OauthClients::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(OauthAccounts::Table)
                    .col(big_id(OauthAccounts::Id))
                    .col(ColumnDef::new(OauthAccounts::UserId).uuid().not_null())
                    .col(ColumnDef::new(OauthAccounts::Provider).string_len(32).not_null())
                    .col(ColumnDef::new(OauthAccounts::ProviderUserId).string_len(191).not_null())
                    .col(ColumnDef::new(OauthAccounts::Email).string_len(255).null())
                    .col(created_at(OauthAccounts::LinkedAt))
                    .foreign_key(&mut cascade(
                        "fk-oauth_accounts-user_id",
                        (OauthAccounts::Table, OauthAccounts::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .to_owned(),
            )
            .await?;
        manager
            .create_index(
                Index::create()
                    .name("idx-oauth_accounts-provider-provider_user_id")
                    .table(OauthAccounts::Table)
                    .col(OauthAccounts::Provider)
                    .col(OauthAccounts::ProviderUserId)
                    .unique()
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(RefreshTokens::Table)
                    .col(big_id(RefreshTokens::Id))
                    .col(ColumnDef::new(RefreshTokens::TokenHash).string_len(64).not_null().unique_key())
                    .col(ColumnDef::new(RefreshTokens::UserId).uuid().not_null())
                    .col(ColumnDef::new(RefreshTokens::ClientId).uuid().not_null())
                    .col(ColumnDef::new(RefreshTokens::Scopes).text().null())
                    .col(ColumnDef::new(RefreshTokens::ExpiresAt).timestamp_with_time_zone().not_null())
                    .col(ColumnDef::new(RefreshTokens::Revoked).boolean().not_null().default(false))
                    .col(created_at(RefreshTokens::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk-refresh_tokens-user_id",
                        (RefreshTokens::Table, RefreshTokens::UserId),
                        (Users::Table, Users::Id),
                    ))
                    .foreign_key(&mut cascade(
                        "fk-refresh_tokens-client_id",
                        (RefreshTokens::Table, RefreshTokens::ClientId),
                        (OauthClients::Table, OauthClients::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(ApiKeys::Table)
                    .comment("Organization API keys; only hashes are stored")
                    .col(ColumnDef::new(ApiKeys::Id).uuid().not_null().primary_key())
                    .col(ColumnDef::new(ApiKeys::OrganizationId).uuid().not_null())
                    .col(ColumnDef::new(ApiKeys::Name).string_len(120).not_null())
                    .col(
                        ColumnDef::new(ApiKeys::Prefix)
                            .string_len(12)
                            .not_null()
                            .unique_key()
                            .comment("Public prefix shown in the dashboard"),
                    )
                    .col(ColumnDef::new(ApiKeys::KeyHash).string_len(64).not_null())
                    .col(ColumnDef::new(ApiKeys::LastUsedAt).timestamp_with_time_zone().null())
                    .col(ColumnDef::new(ApiKeys::ExpiresAt).timestamp_with_time_zone().null())
                    .col(created_at(ApiKeys::CreatedAt))
                    .foreign_key(&mut cascade(
                        "fk-api_keys-organization_id",
                        (ApiKeys::Table, ApiKeys::OrganizationId),
                        (Organizations::Table, Organizations::Id),
                    ))
                    .to_owned(),
            )
            .await?;

        manager
            .create_table(
                Table::create()
                    .table(AuditEvents::Table)
                    .comment("Append-only audit log")
                    .col(big_id(AuditEvents::Id))
                    .col(ColumnDef::new(AuditEvents::ActorId).uuid().null())
                    .col(ColumnDef::new(AuditEvents::Action).string_len(64).not_null())
                    .col(ColumnDef::new(AuditEvents::Payload).json_binary().not_null())
                    .col(ColumnDef::new(AuditEvents::IpAddress).string_len(45).null())
                    .col(created_at(AuditEvents::CreatedAt))
                    .foreign_key(
                        ForeignKey::create()
                            .name("fk-audit_events-actor_id")
                            .from(AuditEvents::Table, AuditEvents::ActorId)
                            .to(Users::Table, Users::Id)
                            .on_delete(ForeignKeyAction::SetNull),
                    )
                    .to_owned(),
            )
            .await?;

        if backend == DbBackend::Postgres {
            // PostgreSQL keeps comments outside CREATE TABLE; MySQL takes them inline above and
            // SQLite has none.
            let comments: [(&str, Option<&str>, &str); 9] = [
                ("users", None, "People who can sign in"),
                ("users", Some("email_verified_at"), "When the address was confirmed; null until then"),
                ("organizations", None, "Customer accounts"),
                ("organizations", Some("billing_balance"), "Prepaid balance in the billing currency"),
                ("oauth_clients", None, "Registered OAuth applications"),
                ("oauth_clients", Some("client_secret_hash"), "Argon2 hash of the client secret"),
                ("api_keys", None, "Organization API keys; only hashes are stored"),
                ("api_keys", Some("prefix"), "Public prefix shown in the dashboard"),
                ("audit_events", None, "Append-only audit log"),
            ];
            let db = manager.get_connection();
            for (table, column, text) in comments {
                let text = text.replace('\'', "''");
                let sql = match column {
                    None => format!(r#"COMMENT ON TABLE "{table}" IS '{text}'"#),
                    Some(column) => format!(r#"COMMENT ON COLUMN "{table}"."{column}" IS '{text}'"#),
                };
                db.execute_unprepared(&sql).await?;
            }
        }
        Ok(())
    }

    async fn down(&self, manager: &SchemaManager) -> Result<(), DbErr> {
        // Tables that hold foreign keys go before the tables they point to.
        for table in [
            AuditEvents::Table.into_iden(),
            ApiKeys::Table.into_iden(),
            RefreshTokens::Table.into_iden(),
            OauthAccounts::Table.into_iden(),
            OauthClients::Table.into_iden(),
            Memberships::Table.into_iden(),
            Organizations::Table.into_iden(),
            Users::Table.into_iden(),
        ] {
            manager.drop_table(Table::drop().table(table).to_owned()).await?;
        }
        if manager.get_database_backend() == DbBackend::Postgres {
            manager
                .drop_type(Type::drop().name(MembershipRole::Enum).to_owned())
                .await?;
        }
        Ok(())
    }
}

/// A `timestamp with time zone` column that defaults to the time the row is inserted.
fn created_at(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .timestamp_with_time_zone()
        .not_null()
        .default(Expr::current_timestamp())
        .to_owned()
}

/// An auto-increment `bigint` primary key.
fn big_id(column: impl IntoIden) -> ColumnDef {
    ColumnDef::new(column)
        .big_integer()
        .not_null()
        .auto_increment()
        .primary_key()
        .to_owned()
}

/// A foreign key that deletes the referencing rows with the referenced one.
fn cascade(
    name: &str,
    from: (impl IntoIden, impl IntoIden),
    to: (impl IntoIden, impl IntoIden),
) -> ForeignKeyCreateStatement {
    ForeignKey::create()
        .name(name)
        .from(from.0, from.1)
        .to(to.0, to.1)
        .on_delete(ForeignKeyAction::Cascade)
        .to_owned()
}

#[derive(DeriveIden)]
enum MembershipRole {
    #[sea_orm(iden = "membership_role")]
    Enum,
    Owner,
    Admin,
    Member,
}

impl MembershipRole {
    const VALUES: [MembershipRole; 3] = [Self::Owner, Self::Admin, Self::Member];
}

#[derive(DeriveIden)]
enum Users {
    Table,
    Id,
    Email,
    FullName,
    IsActive,
    EmailVerifiedAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Organizations {
    Table,
    Id,
    Name,
    Slug,
    BillingBalance,
    CreatedAt,
}

#[derive(DeriveIden)]
enum Memberships {
    Table,
    Id,
    UserId,
    OrganizationId,
    Role,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OauthClients {
    Table,
    Id,
    OrganizationId,
    ClientId,
    ClientSecretHash,
    Name,
    Description,
    RedirectUris,
    IsConfidential,
    CreatedAt,
}

#[derive(DeriveIden)]
enum OauthAccounts {
    Table,
    Id,
    UserId,
    Provider,
    ProviderUserId,
    Email,
    LinkedAt,
}

#[derive(DeriveIden)]
enum RefreshTokens {
    Table,
    Id,
    TokenHash,
    UserId,
    ClientId,
    Scopes,
    ExpiresAt,
    Revoked,
    CreatedAt,
}

#[derive(DeriveIden)]
enum ApiKeys {
    Table,
    Id,
    OrganizationId,
    Name,
    Prefix,
    KeyHash,
    LastUsedAt,
    ExpiresAt,
    CreatedAt,
}

#[derive(DeriveIden)]
enum AuditEvents {
    Table,
    Id,
    ActorId,
    Action,
    Payload,
    IpAddress,
    CreatedAt,
}
