//! The storage conformance suite: every test runs on SQLite (a temporary folder) and on
//! PostgreSQL (a fresh schema on `CALVAULT_TEST_DATABASE_URL`, default
//! `postgres://root@127.0.0.1:5432/test`). An unreachable PostgreSQL fails the suite unless
//! `CALVAULT_SKIP_POSTGRES=1`.

#[path = "conformance/accounts.rs"]
mod accounts;
#[path = "conformance/alerts.rs"]
mod alerts;
#[path = "conformance/dav_files.rs"]
mod dav_files;
#[path = "conformance/fixtures.rs"]
mod fixtures;
#[path = "conformance/harness.rs"]
mod harness;
#[path = "conformance/history.rs"]
mod history;
#[path = "conformance/journal.rs"]
mod journal;
#[path = "conformance/objects.rs"]
mod objects;
#[path = "conformance/settings.rs"]
mod settings;
#[path = "conformance/sharing.rs"]
mod sharing;
#[path = "conformance/syncml.rs"]
mod syncml;

macro_rules! conformance {
    ($($module:ident :: $test:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    crate::harness::run(crate::harness::sqlite().await, crate::$module::$test).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $test() {
                    if let Some(backend) = crate::harness::postgres(stringify!($test)).await {
                        crate::harness::run(backend, crate::$module::$test).await;
                    }
                }
            )*
        }
    };
}

conformance! {
    accounts::users_are_created_found_listed_and_counted,
    accounts::delete_user_cascades,
    accounts::calendars_are_created_renamed_and_conflict_on_names,
    accounts::calendars_go_to_the_trash_come_back_and_purge,
    accounts::devices_upsert_on_their_key,
    journal::a_put_is_read_back_by_uid_name_and_revision,
    journal::preconditions_are_checked_and_a_failed_batch_writes_nothing,
    journal::a_batch_sees_its_own_earlier_changes,
    journal::seqs_increase_per_calendar_independently,
    journal::concurrent_commits_to_one_calendar_take_turns,
    journal::concurrent_failing_batches_fail_alone,
    journal::names_stay_with_their_object,
    journal::a_delete_writes_a_tombstone_with_the_deleted_data,
    journal::changes_since_pages_without_skipping,
    journal::changes_since_is_an_index_range_scan,
    journal::cross_calendar_commits_are_atomic,
    journal::state_at_gives_the_newest_revision_at_a_position,
    journal::big_batches_commit_whole,
    journal::a_calendar_is_modified_by_its_commits_and_patches,
    objects::objects_are_found_by_uids_and_fingerprints,
    objects::objects_page_streams_a_whole_calendar,
    objects::objects_are_found_by_time_range,
    history::the_trash_lists_deletions_until_the_uid_comes_back,
    history::snapshots_reproduce_the_exact_old_state,
    history::automatic_snapshots_expire,
    history::compaction_keeps_pinned_and_current_revisions,
    history::compaction_respects_its_time_limits,
    history::check_is_clean_on_a_good_store_and_reports_broken_rows,
    history::check_reports_broken_shares_alerts_and_webdav_files,
    accounts::calendars_keep_a_timezone_and_dead_properties,
    objects::objects_are_found_by_names,
    sharing::app_passwords_are_unique_per_user_found_by_hash_and_revoked,
    sharing::a_sign_in_reads_the_user_and_the_app_password_its_secret_matches,
    sharing::shares_upsert_keep_their_mount_name_and_conflict_on_it,
    sharing::shares_for_user_lists_live_calendars_by_mount_name,
    sharing::shares_go_with_their_calendar_and_either_user,
    alerts::alerts_are_listed_newest_first_updated_and_resolved,
    alerts::recent_deletions_count_a_devices_tombstones_since_a_time,
    alerts::recent_deletions_read_an_index_of_tombstones,
    dav_files::dav_files_are_put_replaced_and_read_back,
    dav_files::dav_files_under_lists_descendants_only,
    dav_files::dav_trees_are_deleted_whole_and_failed_batches_change_nothing,
    syncml::syncml_sessions_keep_state_and_the_last_reply,
    syncml::syncml_sessions_expire_and_go_with_their_device,
    syncml::syncml_maps_are_unique_per_device_datastore_and_luid,
    syncml::syncml_md5_credentials_are_set_replaced_and_go_with_the_user,
    settings::the_syncml_calendar_is_set_replaced_cleared_and_follows_purges,
    settings::the_syncml_calendar_goes_with_its_user,
    settings::webcal_feeds_are_found_by_hash_listed_and_revoked,
    settings::webcal_feeds_go_with_their_calendar_and_user,
}
