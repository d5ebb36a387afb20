//! Creates the database side of a generated schema on MySQL/MariaDB or SQLite, through
//! sea-query, the way a SeaORM project's migrations would have created it.

use std::path::Path;

use anyhow::{Context, Result};
use sea_orm::sea_query::{Alias, ColumnDef, Expr, ForeignKey, ForeignKeyAction, Index, Table as SqTable};
use sea_orm::{ConnectionTrait, Database, DbBackend};

use crate::neutral::{self, Column, Default, Table};

pub async fn seed(gen_dir: &Path, url: &str) -> Result<()> {
    let db = Database::connect(url).await.context("cannot connect")?;
    let backend = db.get_database_backend();
    anyhow::ensure!(backend != DbBackend::Postgres, "PostgreSQL loads the kit's schema.sql");
    let schema = neutral::load(gen_dir, "db", backend)?;
    if backend == DbBackend::Sqlite {
        // One transaction and no journal sync: a bulk load of a throwaway file.
        db.execute_unprepared("PRAGMA journal_mode = OFF").await?;
        db.execute_unprepared("PRAGMA synchronous = OFF").await?;
        db.execute_unprepared("BEGIN").await?;
    }
    for table in &schema.tables {
        db.execute(&create_table(table)?).await.with_context(|| format!("create {}", table.name))?;
        for index in &table.indexes {
            let mut create = Index::create();
            create.name(&index.name).table(id(&table.name));
            for column in &index.columns {
                create.col(id(&column));
            }
            if index.unique {
                create.unique();
            }
            db.execute(&create).await.with_context(|| format!("create {}", index.name))?;
        }
    }
    if backend == DbBackend::Sqlite {
        db.execute_unprepared("COMMIT").await?;
    }
    eprintln!("created {} tables", schema.tables.len());
    Ok(())
}

fn create_table(table: &Table) -> Result<sea_orm::sea_query::TableCreateStatement> {
    let mut create = SqTable::create();
    create.table(id(&table.name));
    let single_key = table.primary_key.len() == 1;
    for column in &table.columns {
        let mut def = column_def(column)?;
        if single_key && table.primary_key[0] == column.name {
            def.primary_key();
            if column.autoincrement {
                def.auto_increment();
            }
        }
        if table.uniques.iter().any(|u| u.columns == [column.name.clone()]) {
            def.unique_key();
        }
        create.col(def);
    }
    if !single_key {
        let mut key = Index::create();
        for column in &table.primary_key {
            key.col(id(&column));
        }
        create.primary_key(&mut key);
    }
    for unique in table.uniques.iter().filter(|u| u.columns.len() > 1) {
        let mut index = Index::create();
        index.name(&unique.name).unique();
        for column in &unique.columns {
            index.col(id(&column));
        }
        create.index(&mut index);
    }
    for fk in &table.foreign_keys {
        let mut key = ForeignKey::create();
        key.name(&fk.name);
        for (from, to) in fk.columns.iter().zip(&fk.ref_columns) {
            key.from(id(&table.name), id(&from)).to(id(&fk.ref_table), id(&to));
        }
        if let Some(action) = &fk.ondelete {
            key.on_delete(match action.as_str() {
                "CASCADE" => ForeignKeyAction::Cascade,
                "SET NULL" => ForeignKeyAction::SetNull,
                "RESTRICT" => ForeignKeyAction::Restrict,
                other => anyhow::bail!("unsupported ON DELETE {other}"),
            });
        }
        create.foreign_key(&mut key);
    }
    Ok(create)
}

fn column_def(column: &Column) -> Result<ColumnDef> {
    let mut def = ColumnDef::new(id(&column.name));
    match column.ty.as_str() {
        "varchar" => def.string_len(column.length.context("varchar without a length")?),
        "text" => def.text(),
        "integer" => def.integer(),
        "bigint" => def.big_integer(),
        "boolean" => def.boolean(),
        "timestamptz" => def.timestamp_with_time_zone(),
        "numeric" => def.decimal_len(column.precision.context("numeric without precision")?, column.scale.unwrap_or(0)),
        "jsonb" => def.json_binary(),
        "uuid" => def.uuid(),
        other => anyhow::bail!("unsupported type {other}"),
    };
    if column.nullable {
        def.null();
    } else {
        def.not_null();
    }
    match column.parsed_default()? {
        None => {}
        Some(Default::Now) => {
            def.default(Expr::current_timestamp());
        }
        Some(Default::RandomUuid) => {
            def.default(Expr::cust("gen_random_uuid()"));
        }
        Some(Default::Bool(b)) => {
            def.default(b);
        }
        Some(Default::Int(i)) => {
            def.default(i);
        }
        Some(Default::Text(t)) => {
            def.default(t);
        }
    }
    if let Some(comment) = &column.comment {
        def.comment(comment);
    }
    Ok(def)
}

/// An identifier for sea-query.
fn id(name: &str) -> Alias {
    Alias::new(name)
}
