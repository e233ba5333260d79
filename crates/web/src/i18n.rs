//! Every string the pages show, in English and French: one catalogue, chosen per request.

use axum::http::{HeaderMap, header};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lang {
    En,
    Fr,
}

/// The cookie that keeps the language a visitor chose with the switch.
pub const LANG_COOKIE: &str = "cv_lang";

impl Lang {
    pub fn code(self) -> &'static str {
        match self {
            Lang::En => "en",
            Lang::Fr => "fr",
        }
    }

    pub fn parse(code: &str) -> Option<Lang> {
        match code.trim().to_ascii_lowercase().as_str() {
            "en" => Some(Lang::En),
            "fr" => Some(Lang::Fr),
            _ => None,
        }
    }

    /// The cookie's choice, else the first language of Accept-Language we have, else English.
    pub fn of_request(headers: &HeaderMap) -> Lang {
        if let Some(lang) = crate::session::cookie(headers, LANG_COOKIE).and_then(Lang::parse) {
            return lang;
        }
        let accepted = headers
            .get(header::ACCEPT_LANGUAGE)
            .and_then(|v| v.to_str().ok())
            .unwrap_or("");
        accepted_languages(accepted)
            .into_iter()
            .find_map(|tag| Lang::parse(tag.split('-').next().unwrap_or("")))
            .unwrap_or(Lang::En)
    }

    pub fn text(self) -> &'static Text {
        match self {
            Lang::En => &EN,
            Lang::Fr => &FR,
        }
    }

    /// The other language, which the switch offers.
    pub fn other(self) -> Lang {
        match self {
            Lang::En => Lang::Fr,
            Lang::Fr => Lang::En,
        }
    }
}

/// RFC 9110 §12.5.4: language tags by descending weight (q=0 means "not this one").
fn accepted_languages(header: &str) -> Vec<&str> {
    let mut tags: Vec<(&str, f32)> = header
        .split(',')
        .filter_map(|part| {
            let mut pieces = part.split(';');
            let tag = pieces.next()?.trim();
            let weight = pieces
                .find_map(|p| p.trim().strip_prefix("q="))
                .and_then(|q| q.trim().parse::<f32>().ok())
                .unwrap_or(1.0);
            (!tag.is_empty() && weight > 0.0).then_some((tag, weight))
        })
        .collect();
    tags.sort_by(|a, b| b.1.total_cmp(&a.1));
    tags.into_iter().map(|(tag, _)| tag).collect()
}

/// Fills `{}` placeholders in order.
pub fn fill(template: &str, values: &[&str]) -> String {
    let mut out = String::with_capacity(template.len() + 16);
    let mut values = values.iter();
    let mut rest = template;
    while let Some(at) = rest.find("{}") {
        out.push_str(&rest[..at]);
        out.push_str(values.next().copied().unwrap_or(""));
        rest = &rest[at + 2..];
    }
    out.push_str(rest);
    out
}

pub struct Text {
    pub lang: &'static str,
    pub skip: &'static str,
    pub menu: &'static str,
    pub other_language: &'static str,
    pub signed_in_as: &'static str,
    // sign-in
    pub sign_in: &'static str,
    pub sign_in_intro: &'static str,
    pub user_name: &'static str,
    pub password: &'static str,
    pub sign_out: &'static str,
    pub bad_credentials: &'static str,
    pub too_many_attempts: &'static str,
    // navigation
    pub agenda: &'static str,
    pub calendars: &'static str,
    pub trash: &'static str,
    pub backups: &'static str,
    pub import: &'static str,
    pub devices: &'static str,
    pub alerts: &'static str,
    // agenda
    pub view_list: &'static str,
    pub view_day: &'static str,
    pub view_week: &'static str,
    pub view_month: &'static str,
    pub previous: &'static str,
    pub next: &'static str,
    pub today: &'static str,
    pub new_event: &'static str,
    pub nothing_planned: &'static str,
    pub all_day: &'static str,
    pub tasks: &'static str,
    pub no_tasks: &'static str,
    pub done: &'static str,
    pub to_do: &'static str,
    pub due: &'static str,
    pub no_due_date: &'static str,
    pub weekdays: [&'static str; 7],
    pub months: [&'static str; 12],
    pub more_events: &'static str,
    // event form
    pub edit_event: &'static str,
    pub title: &'static str,
    pub starts: &'static str,
    pub ends: &'static str,
    pub time_zone: &'static str,
    pub location: &'static str,
    pub description: &'static str,
    pub calendar: &'static str,
    pub repeat: &'static str,
    pub repeat_none: &'static str,
    pub repeat_daily: &'static str,
    pub repeat_weekly: &'static str,
    pub repeat_monthly: &'static str,
    pub repeat_yearly: &'static str,
    pub repeat_until: &'static str,
    pub repeat_count: &'static str,
    pub repeat_end_help: &'static str,
    pub reminder: &'static str,
    pub reminder_none: &'static str,
    pub minutes_before: &'static str,
    pub save: &'static str,
    pub cancel: &'static str,
    pub delete: &'static str,
    pub recurring_notice: &'static str,
    pub scope: &'static str,
    pub scope_this: &'static str,
    pub scope_all: &'static str,
    pub edit_series: &'static str,
    pub read_only: &'static str,
    // trash
    pub trash_intro: &'static str,
    pub trash_empty: &'static str,
    pub deleted_at: &'static str,
    pub deleted_by: &'static str,
    pub restore_selected: &'static str,
    pub restore_all: &'static str,
    pub restored_count: &'static str,
    pub untitled: &'static str,
    pub select: &'static str,
    // backups
    pub backups_intro: &'static str,
    pub back_up_now: &'static str,
    pub snapshot_taken: &'static str,
    pub when: &'static str,
    pub reason: &'static str,
    pub events: &'static str,
    pub automatic: &'static str,
    pub manual: &'static str,
    pub preview_restore: &'static str,
    pub download_ics: &'static str,
    pub no_snapshots: &'static str,
    pub restore_preview_title: &'static str,
    pub will_bring_back: &'static str,
    pub will_remove: &'static str,
    pub will_change: &'static str,
    pub nothing_to_restore: &'static str,
    pub run_restore: &'static str,
    pub restore_done: &'static str,
    pub undo_restore: &'static str,
    pub more_snapshots: &'static str,
    // import
    pub import_intro: &'static str,
    pub ics_file: &'static str,
    pub ics_text: &'static str,
    pub preview_import: &'static str,
    pub import_preview_title: &'static str,
    pub run_import: &'static str,
    pub import_done: &'static str,
    pub created: &'static str,
    pub updated: &'static str,
    pub duplicates_skipped: &'static str,
    pub failed: &'static str,
    // calendars
    pub your_calendars: &'static str,
    pub shared_with_you: &'static str,
    pub new_calendar: &'static str,
    pub name_in_url: &'static str,
    pub display_name: &'static str,
    pub colour: &'static str,
    pub create: &'static str,
    pub rename_recolour: &'static str,
    pub share_with: &'static str,
    pub access_read: &'static str,
    pub access_read_write: &'static str,
    pub share: &'static str,
    pub stop_sharing: &'static str,
    pub shared_by: &'static str,
    pub caldav_address: &'static str,
    pub caldav_help: &'static str,
    pub delete_to_trash: &'static str,
    // devices
    pub devices_intro: &'static str,
    pub no_devices: &'static str,
    pub protocol: &'static str,
    pub last_seen: &'static str,
    pub last_sync: &'static str,
    pub never: &'static str,
    pub app_passwords: &'static str,
    pub no_app_passwords: &'static str,
    pub new_app_password: &'static str,
    pub device_name: &'static str,
    pub app_password_created: &'static str,
    pub last_used: &'static str,
    pub revoke: &'static str,
    // alerts
    pub no_alerts: &'static str,
    pub dismiss: &'static str,
    pub review_restore: &'static str,
    // errors
    pub back: &'static str,
}

pub static EN: Text = Text {
    lang: "en",
    skip: "Skip to the content",
    menu: "Main menu",
    other_language: "Français",
    signed_in_as: "Signed in as",
    sign_in: "Sign in",
    sign_in_intro: "Your agenda, backups and devices, from any browser.",
    user_name: "User name",
    password: "Password",
    sign_out: "Sign out",
    bad_credentials: "Wrong user name or password.",
    too_many_attempts: "Too many failed attempts. Wait {} seconds and try again.",
    agenda: "Agenda",
    calendars: "Calendars",
    trash: "Trash",
    backups: "Backups",
    import: "Import",
    devices: "Devices",
    alerts: "Alerts",
    view_list: "List",
    view_day: "Day",
    view_week: "Week",
    view_month: "Month",
    previous: "Previous",
    next: "Next",
    today: "Today",
    new_event: "New event",
    nothing_planned: "Nothing planned.",
    all_day: "All day",
    tasks: "Tasks",
    no_tasks: "No tasks.",
    done: "Done",
    to_do: "To do",
    due: "Due",
    no_due_date: "No due date",
    weekdays: ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"],
    months: [
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ],
    more_events: "{} more",
    edit_event: "Edit event",
    title: "Title",
    starts: "Starts",
    ends: "Ends",
    time_zone: "Time zone",
    location: "Location",
    description: "Description",
    calendar: "Calendar",
    repeat: "Repeat",
    repeat_none: "Does not repeat",
    repeat_daily: "Every day",
    repeat_weekly: "Every week",
    repeat_monthly: "Every month",
    repeat_yearly: "Every year",
    repeat_until: "Until (date)",
    repeat_count: "Or number of times",
    repeat_end_help: "Leave both empty to repeat forever.",
    reminder: "Reminder",
    reminder_none: "No reminder",
    minutes_before: "{} minutes before",
    save: "Save",
    cancel: "Cancel",
    delete: "Delete",
    recurring_notice: "This event repeats.",
    scope: "Apply to",
    scope_this: "This occurrence only",
    scope_all: "All occurrences",
    edit_series: "Edit the whole series",
    read_only: "This calendar is shared with you read-only.",
    trash_intro: "Deleted events stay here for a while; bring back any of them.",
    trash_empty: "The trash is empty.",
    deleted_at: "Deleted",
    deleted_by: "by",
    restore_selected: "Restore selected",
    restore_all: "Restore all",
    restored_count: "{} event(s) restored.",
    untitled: "(no title)",
    select: "Select",
    backups_intro: "Every change is kept. A snapshot is a point you can go back to: calvault takes one before every risky operation, and you can take one now.",
    back_up_now: "Back up now",
    snapshot_taken: "Snapshot taken.",
    when: "When",
    reason: "Reason",
    events: "Events",
    automatic: "automatic",
    manual: "manual",
    preview_restore: "Restore…",
    download_ics: "Download .ics",
    no_snapshots: "No snapshots yet.",
    restore_preview_title: "Restore this snapshot?",
    will_bring_back: "Will come back",
    will_remove: "Will be removed (to the trash)",
    will_change: "Will get their old content back",
    nothing_to_restore: "The calendar is already as it was then: nothing to do.",
    run_restore: "Restore now",
    restore_done: "Restored. A snapshot of what was there before was taken first.",
    undo_restore: "Undo this restore",
    more_snapshots: "Older snapshots are not shown.",
    import_intro: "Add events from an .ics file. You see what will happen before anything changes; events already there are skipped.",
    ics_file: ".ics file",
    ics_text: "or paste its content",
    preview_import: "Preview",
    import_preview_title: "What the import will do",
    run_import: "Import now",
    import_done: "Imported.",
    created: "Created",
    updated: "Updated",
    duplicates_skipped: "Duplicates skipped",
    failed: "Failed",
    your_calendars: "Your calendars",
    shared_with_you: "Shared with you",
    new_calendar: "New calendar",
    name_in_url: "Short name (in addresses)",
    display_name: "Name",
    colour: "Colour",
    create: "Create",
    rename_recolour: "Rename or recolour",
    share_with: "Share with (user name)",
    access_read: "Read only",
    access_read_write: "Read and write",
    share: "Share",
    stop_sharing: "Stop sharing",
    shared_by: "shared by",
    caldav_address: "Address for your phone (CalDAV)",
    caldav_help: "On a phone, add a CalDAV account with this address, your user name and an app password from the Devices page.",
    delete_to_trash: "Delete (to the trash)",
    devices_intro: "Every phone and program that syncs with calvault.",
    no_devices: "No device has synced yet.",
    protocol: "Protocol",
    last_seen: "Last seen",
    last_sync: "Last sync",
    never: "never",
    app_passwords: "App passwords",
    no_app_passwords: "No app passwords.",
    new_app_password: "Create an app password",
    device_name: "Device name",
    app_password_created: "Type this password into the device now; it is shown only once:",
    last_used: "Last used",
    revoke: "Revoke",
    no_alerts: "No alerts.",
    dismiss: "Dismiss",
    review_restore: "Review and undo",
    back: "Back",
};

pub static FR: Text = Text {
    lang: "fr",
    skip: "Aller au contenu",
    menu: "Menu principal",
    other_language: "English",
    signed_in_as: "Connecté en tant que",
    sign_in: "Se connecter",
    sign_in_intro: "Votre agenda, vos sauvegardes et vos appareils, depuis n'importe quel navigateur.",
    user_name: "Nom d'utilisateur",
    password: "Mot de passe",
    sign_out: "Se déconnecter",
    bad_credentials: "Nom d'utilisateur ou mot de passe incorrect.",
    too_many_attempts: "Trop d'essais infructueux. Attendez {} secondes puis réessayez.",
    agenda: "Agenda",
    calendars: "Calendriers",
    trash: "Corbeille",
    backups: "Sauvegardes",
    import: "Importer",
    devices: "Appareils",
    alerts: "Alertes",
    view_list: "Liste",
    view_day: "Jour",
    view_week: "Semaine",
    view_month: "Mois",
    previous: "Précédent",
    next: "Suivant",
    today: "Aujourd'hui",
    new_event: "Nouvel événement",
    nothing_planned: "Rien de prévu.",
    all_day: "Toute la journée",
    tasks: "Tâches",
    no_tasks: "Aucune tâche.",
    done: "Faite",
    to_do: "À faire",
    due: "Échéance",
    no_due_date: "Sans échéance",
    weekdays: ["lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim."],
    months: [
        "janvier",
        "février",
        "mars",
        "avril",
        "mai",
        "juin",
        "juillet",
        "août",
        "septembre",
        "octobre",
        "novembre",
        "décembre",
    ],
    more_events: "{} de plus",
    edit_event: "Modifier l'événement",
    title: "Titre",
    starts: "Début",
    ends: "Fin",
    time_zone: "Fuseau horaire",
    location: "Lieu",
    description: "Description",
    calendar: "Calendrier",
    repeat: "Répétition",
    repeat_none: "Ne se répète pas",
    repeat_daily: "Tous les jours",
    repeat_weekly: "Toutes les semaines",
    repeat_monthly: "Tous les mois",
    repeat_yearly: "Tous les ans",
    repeat_until: "Jusqu'au (date)",
    repeat_count: "Ou nombre de fois",
    repeat_end_help: "Laissez les deux vides pour répéter sans fin.",
    reminder: "Rappel",
    reminder_none: "Aucun rappel",
    minutes_before: "{} minutes avant",
    save: "Enregistrer",
    cancel: "Annuler",
    delete: "Supprimer",
    recurring_notice: "Cet événement se répète.",
    scope: "Appliquer à",
    scope_this: "Cette occurrence seulement",
    scope_all: "Toutes les occurrences",
    edit_series: "Modifier toute la série",
    read_only: "Ce calendrier est partagé avec vous en lecture seule.",
    trash_intro: "Les événements supprimés restent ici un temps ; vous pouvez les récupérer.",
    trash_empty: "La corbeille est vide.",
    deleted_at: "Supprimé",
    deleted_by: "par",
    restore_selected: "Restaurer la sélection",
    restore_all: "Tout restaurer",
    restored_count: "{} événement(s) restauré(s).",
    untitled: "(sans titre)",
    select: "Choisir",
    backups_intro: "Chaque modification est conservée. Un instantané est un point où revenir : calvault en prend un avant chaque opération risquée, et vous pouvez en prendre un maintenant.",
    back_up_now: "Sauvegarder maintenant",
    snapshot_taken: "Instantané pris.",
    when: "Date",
    reason: "Motif",
    events: "Événements",
    automatic: "automatique",
    manual: "manuel",
    preview_restore: "Restaurer…",
    download_ics: "Télécharger en .ics",
    no_snapshots: "Aucun instantané pour l'instant.",
    restore_preview_title: "Restaurer cet instantané ?",
    will_bring_back: "Reviendront",
    will_remove: "Seront supprimés (vers la corbeille)",
    will_change: "Retrouveront leur ancien contenu",
    nothing_to_restore: "Le calendrier est déjà dans cet état : rien à faire.",
    run_restore: "Restaurer maintenant",
    restore_done: "Restauré. Un instantané de l'état précédent a été pris d'abord.",
    undo_restore: "Annuler cette restauration",
    more_snapshots: "Les instantanés plus anciens ne sont pas affichés.",
    import_intro: "Ajoutez des événements depuis un fichier .ics. Vous voyez ce qui va se passer avant tout changement ; les événements déjà présents sont ignorés.",
    ics_file: "Fichier .ics",
    ics_text: "ou collez son contenu",
    preview_import: "Aperçu",
    import_preview_title: "Ce que l'import va faire",
    run_import: "Importer maintenant",
    import_done: "Importé.",
    created: "Créés",
    updated: "Mis à jour",
    duplicates_skipped: "Doublons ignorés",
    failed: "En échec",
    your_calendars: "Vos calendriers",
    shared_with_you: "Partagés avec vous",
    new_calendar: "Nouveau calendrier",
    name_in_url: "Nom court (dans les adresses)",
    display_name: "Nom",
    colour: "Couleur",
    create: "Créer",
    rename_recolour: "Renommer ou changer la couleur",
    share_with: "Partager avec (nom d'utilisateur)",
    access_read: "Lecture seule",
    access_read_write: "Lecture et écriture",
    share: "Partager",
    stop_sharing: "Arrêter le partage",
    shared_by: "partagé par",
    caldav_address: "Adresse pour votre téléphone (CalDAV)",
    caldav_help: "Sur un téléphone, ajoutez un compte CalDAV avec cette adresse, votre nom d'utilisateur et un mot de passe d'application de la page Appareils.",
    delete_to_trash: "Supprimer (vers la corbeille)",
    devices_intro: "Chaque téléphone et programme qui se synchronise avec calvault.",
    no_devices: "Aucun appareil ne s'est encore synchronisé.",
    protocol: "Protocole",
    last_seen: "Vu pour la dernière fois",
    last_sync: "Dernière synchronisation",
    never: "jamais",
    app_passwords: "Mots de passe d'application",
    no_app_passwords: "Aucun mot de passe d'application.",
    new_app_password: "Créer un mot de passe d'application",
    device_name: "Nom de l'appareil",
    app_password_created: "Saisissez ce mot de passe dans l'appareil maintenant ; il n'est affiché qu'une fois :",
    last_used: "Dernière utilisation",
    revoke: "Révoquer",
    no_alerts: "Aucune alerte.",
    dismiss: "Ignorer",
    review_restore: "Examiner et annuler",
    back: "Retour",
};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn picks_the_language_by_weight() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::ACCEPT_LANGUAGE,
            "de;q=0.9, fr-CA;q=0.8, en;q=0.5".parse().unwrap(),
        );
        assert_eq!(Lang::of_request(&headers), Lang::Fr);
        headers.insert(header::ACCEPT_LANGUAGE, "fr;q=0, en".parse().unwrap());
        assert_eq!(Lang::of_request(&headers), Lang::En);
        headers.insert(header::COOKIE, "cv_lang=fr".parse().unwrap());
        assert_eq!(Lang::of_request(&headers), Lang::Fr);
    }

    #[test]
    fn fills_placeholders() {
        assert_eq!(fill("wait {} s", &["30"]), "wait 30 s");
    }
}
