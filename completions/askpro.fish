# Print an optspec for argparse to handle cmd's options that are independent of any subcommand.
function __fish_askpro_global_optspecs
    string join \n json q/quiet n/no-interaction config= database-url= h/help V/version
end

function __fish_askpro_needs_command
    # Figure out if the current invocation already has a command.
    set -l cmd (commandline -opc)
    set -e cmd[1]
    argparse -s (__fish_askpro_global_optspecs) -- $cmd 2>/dev/null
    or return
    if set -q argv[1]
        # Also print the command, so this can be used to figure out what it is.
        echo $argv[1]
        return 1
    end
    return 0
end

function __fish_askpro_using_subcommand
    set -l cmd (__fish_askpro_needs_command)
    test -z "$cmd"
    and return 1
    contains -- $cmd[1] $argv
end

complete -c askpro -n "__fish_askpro_needs_command" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_needs_command" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_needs_command" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_needs_command" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_needs_command" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_needs_command" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_needs_command" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "onboarding" -d 'A whole business from an industry preset in one command'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "setup" -d 'The interactive Quick Setup on a terminal'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "company" -d 'Companies (tenants): create, config, greeting, list, show'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "branch" -d 'Branches with opening hours and notification targets'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "service" -d 'Services, synonyms and CSV synonym import'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "staff" -d 'Staff and their services'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "calcom" -d 'Cal.com: test the key, import event types and members, verify sync'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "debug" -d 'Look at appointments and working hours on a day'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "call" -d 'Simulated calls through the daemon\'s function handlers'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "retell" -d 'Retell: voice agents, phone numbers, signed test requests and custom functions'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "webhooks" -d 'Stored webhook deliveries: retry the failed ones'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "preflight" -d 'Is the installation ready for calls? Checks for CI and go-lives'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "monitoring" -d 'Health against thresholds, and alerts when one is breached'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "performance" -d 'Database performance: slow queries, missing indexes, N+1 requests, caches'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "db" -d 'Database migrations'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "key" -d 'The master key that encrypts secrets at rest'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "nlu" -d 'Language understanding: spoken dates and times'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "templates" -d 'Industry presets: what a new business of a kind starts with'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "completions" -d 'Print shell completions (bash, zsh, fish) to stdout'
complete -c askpro -n "__fish_askpro_needs_command" -f -a "list" -d 'List every command in `namespace:verb` form'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and not __fish_seen_subcommand_from automated" -f -a "automated" -d 'Create a company with branches, services, synonyms, staff and (with Retell configured) agents from a preset'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l name -d 'Company name (unique)' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l industry -d 'Industry preset key (`askpro templates:list`) or a preset file (.toml)' -r -f -a "friseur\t''
physiotherapie\t''
kosmetikstudio\t''
medical\t''
beauty\t''
legal\t''
fitness\t''
automotive\t''"
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l branches -d 'Number of branches (named Filiale 1 … N; one branch: Hauptsitz)' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l branch-names -d 'Branch names, comma-separated (instead of numbered names)' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l email -d 'The company\'s e-mail address' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l phone -d 'The company\'s number, any usual written form; the first branch answers it' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l staff-per-branch -d 'Staff placeholders per branch (default: one per role of the preset)' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l if-not-exists -d 'When it already exists (same natural key), print its id and exit 0 instead of failing'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l dry-run -d 'Print the whole plan; change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand onboarding; and __fish_seen_subcommand_from automated" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and not __fish_seen_subcommand_from wizard" -f -a "wizard" -d 'Quick Setup on a terminal: industry, name, branches, hours, services, staff; a review; then onboarding'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -l company-id -d 'Finish the setup of this existing company' -r
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand setup; and __fish_seen_subcommand_from wizard" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -f -a "create" -d 'Create a company; prints `Company ID: N`'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -f -a "config" -d 'Show a company\'s settings, or change the ones given'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -f -a "greeting" -d 'Set the greeting for a situation (new, returning, predicted, after hours)'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -f -a "list" -d 'List companies'
complete -c askpro -n "__fish_askpro_using_subcommand company; and not __fish_seen_subcommand_from create config greeting list show" -f -a "show" -d 'Show one company with its greetings'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l name -d 'Company name (unique; prompted for on a terminal)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l email -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l phone -d 'Main phone number, any usual written form; stored in E.164' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l country -d 'ISO country code, the default region for phone numbers' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l timezone -d 'IANA time zone, inherited by branches' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l industry -d 'Industry preset for settings and opening hours: a key (`askpro templates:list`) or a preset file' -r -f -a "friseur\t''
physiotherapie\t''
kosmetikstudio\t''
medical\t''
beauty\t''
legal\t''
fitness\t''
automotive\t''"
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l calcom-team-id -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l calcom-api-key -d 'Stored encrypted; shown only masked' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l retell-api-key -d 'Stored encrypted; shown only masked' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l scheduling -d 'Calendar backend' -r -f -a "local\t''
calcom\t''"
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l if-not-exists -d 'When it already exists (same natural key), print its id and exit 0 instead of failing'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l callback-channels -d 'Channels for callback requests, comma-separated' -r -f -a "email\t''
sms\t''
whatsapp\t''
portal\t''"
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l callback-email -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l enable-smart-service -d 'Predict the service of returning callers (default true)' -r -f -a "true\t''
false\t''"
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l service-confidence-threshold -d 'Minimum confidence for service matching and prediction, 0–1 (default 0.8)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l enable-staff-preferences -d 'Offer returning callers their usual staff member (default true)' -r -f -a "true\t''
false\t''"
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l staff-confidence-threshold -d 'Minimum confidence for staff prediction, 0–1 (default 0.8)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l cancellation-hours -d 'Cancellation notice in hours (default 0: none)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l calcom-api-key -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l retell-api-key -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l calcom-webhook-secret -d 'The secret of the company\'s Cal.com webhook: /calcom/webhook accepts only deliveries signed with it (X-Cal-Signature-256)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l scheduling -r -f -a "local\t''
calcom\t''"
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l slot-step -d 'Local calendar: minutes between possible start times, 5–240 (default 15)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l slot-buffer -d 'Local calendar: minutes kept free around every appointment, 0–240 (default 0)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l min-notice -d 'Local calendar: minutes from now before the first bookable start (default 60)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from config" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -l type -d 'Which situation the greeting is for' -r -f -a "default\t''
returning_customer\t''
personalized_with_service\t''
after_hours\t''"
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -l template -d 'The text; may use {{customer_name}}, {{service}}, {{company}}, {{branch}}' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from greeting" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from show" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from show" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from show" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from show" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand company; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -f -a "create" -d 'Create a branch; prints `Branch ID: N`'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -f -a "notifications" -d 'Set where a branch\'s notifications go'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and not __fish_seen_subcommand_from create notifications list" -f -a "list" -d 'List a company\'s branches'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l name -d 'Branch name, unique within the company (prompted for on a terminal)' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l address -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l phone -d 'The branch\'s phone number (E.164 after normalising); calls to it reach this branch' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l email -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l timezone -d 'IANA time zone (default: the company\'s)' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l business-hours -d 'Opening hours as JSON or @file.json, e.g. \'{"monday": {"open": "09:00", "close": "18:00"}}\' (default: the industry\'s hours, else Mon–Fri 09–18)' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l if-not-exists -d 'When it already exists (same natural key), print its id and exit 0 instead of failing'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -l branch-id -d 'Branch id (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -l email -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -l sms-phone -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -l whatsapp -d 'WhatsApp number' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from notifications" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand branch; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -f -a "create" -d 'Create a service; prints `Service ID: N`'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -f -a "list" -d 'List a company\'s services (or those offered at one branch)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -f -a "add-synonym" -d 'Add one synonym to a service (an existing one is left as it is)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -f -a "import-synonyms" -d 'Import synonyms from a CSV (service_name,synonym), all or nothing'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -f -a "match" -d 'The best service for a spoken phrase, with its confidence'
complete -c askpro -n "__fish_askpro_using_subcommand service; and not __fish_seen_subcommand_from create list add-synonym import-synonyms match show-synonyms" -f -a "show-synonyms" -d 'Show a service\'s synonyms'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l branch-id -d 'Offer it only at this branch (default: every branch)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l name -d 'Service name, unique within the company (prompted for on a terminal)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l duration -d 'Length in minutes' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l price -d 'Price in euros, e.g. 25 or 25.50' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l calcom-event-type-id -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l if-not-exists -d 'When it already exists (same natural key), print its id and exit 0 instead of failing'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -l branch-id -d 'Branch id (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -l service-id -d 'Service id (see `askpro service:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -l synonym -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from add-synonym" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -l file -d 'CSV file: header `service_name,synonym`, one synonym per row' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -l dry-run -d 'Check the file and count what would be imported; write nothing'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from import-synonyms" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from match" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -l service-id -d 'Service id (see `askpro service:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand service; and __fish_seen_subcommand_from show-synonyms" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -f -a "create" -d 'Create a staff member at a branch; prints `Staff ID: N`'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -f -a "assign-services" -d 'Map a staff member to services: `all` or "Name A,Name B"'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and not __fish_seen_subcommand_from create assign-services list" -f -a "list" -d 'List a branch\'s staff with their services'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l branch-id -d 'Branch id (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l name -d 'Name (prompted for on a terminal)' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l email -d 'E-mail; the natural key within the branch when given' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l phone -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l calcom-user-id -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l working-hours -d 'Their own working hours, JSON or @file as for branches (default: the branch\'s hours)' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l if-not-exists -d 'When it already exists (same natural key), print its id and exit 0 instead of failing'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from create" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -l staff-id -d 'Staff id (see `askpro staff:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -l services -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from assign-services" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -l branch-id -d 'Branch id (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand staff; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -f -a "test-connection" -d 'Check the company\'s Cal.com key and team; prints who the key belongs to'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -f -a "import-services" -d 'Create/update services from the team\'s event types (duration, price, event type id; hosts become the staff–service mapping)'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -f -a "import-staff" -d 'Create/update the branch\'s staff from the team\'s accepted members'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and not __fish_seen_subcommand_from test-connection import-services import-staff verify-sync" -f -a "verify-sync" -d 'Compare services and staff with Cal.com; exit 1 on drift'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from test-connection" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -l branch-id -d 'Import as services of this branch only (default: company-wide)' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -l force -d 'Also link and overwrite local services that share an event type\'s name'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -l dry-run -d 'Show what would change and write nothing'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-services" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -l branch-id -d 'Branch id (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -l dry-run -d 'Show what would change and write nothing'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from import-staff" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -l company-id -d 'Company id (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand calcom; and __fish_seen_subcommand_from verify-sync" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -f -a "appointments" -d 'A branch\'s appointments on a day (all statuses), in the branch\'s zone'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and not __fish_seen_subcommand_from appointments working-hours" -f -a "working-hours" -d 'A staff member\'s working hours and bookings on a day'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -l branch-id -d 'Branch id (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -l date -d 'YYYY-MM-DD or a spoken day ("morgen", "Freitag"); default today' -r
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from appointments" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -l staff-id -d 'Staff id (see `askpro staff:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -l date -d 'YYYY-MM-DD or a spoken day ("morgen", "Freitag"); default today' -r
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand debug; and __fish_seen_subcommand_from working-hours" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand call; and not __fish_seen_subcommand_from simulate" -f -a "simulate" -d 'Run a scripted call (new-booking, returning, availability, reschedule, cancel, upstream-timeout) and print each step'
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -l branch-id -d 'Branch id (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -l from -d 'The caller\'s number; omit for a withheld number' -r
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -l scenario -r -f -a "new-booking\t''
returning\t''
availability\t''
reschedule\t''
cancel\t''
upstream-timeout\t'The calendar does not answer in time: the fallback and a callback request'"
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -l now -d 'When the call happens, RFC 3339 (default: now)' -r
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand call; and __fish_seen_subcommand_from simulate" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "clone-agent" -d 'Create a branch\'s voice agent in Retell from a template, an agent or a flow file'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "assign-phone" -d 'Answer a number with an agent\'s published version, and record it for the agent\'s branch'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "buy-phone" -d 'Buy a number from Retell (US or CA only) answered by the agent'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "update-greeting" -d 'Change the agent\'s first sentence (a new published version)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "update-voice" -d 'Change the agent\'s voice and language (a new published version)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "update-prompts" -d 'Replace text in the agent\'s prompts (a new published version)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "test-call" -d 'Place a test call through Retell with the agent'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "agents" -d 'The agents askpro manages, with their template and drift (exit 1 on drift)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "test-function" -d 'Run a custom function as a call would and print its JSON answer'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and not __fish_seen_subcommand_from clone-agent assign-phone buy-phone update-greeting update-voice update-prompts test-call agents test-function trigger" -f -a "trigger" -d 'Send a correctly signed sample webhook or function call to a running daemon'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l from -d 'A template (booking-de, booking-de-llm), an agent id (agent_…) or a flow JSON file' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l company-id -d 'The company the agent answers for (see `askpro company:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l branch-id -d 'The branch whose calls the agent answers (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l name -d 'The agent\'s name in Retell (default: "askpro · <company> · <branch>")' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l voice-id -d 'A Retell voice id (default: 11labs-Carola)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l language -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l dry-run -d 'Print every request that would be sent; send nothing, record nothing'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from clone-agent" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -l agent-id -d 'The agent (as printed by retell:clone-agent)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -l phone -d 'The number, as imported in Retell (+49 30 1234567, 030 1234567 …)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -l dry-run -d 'Print the request(s) that would be sent; change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from assign-phone" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -l agent-id -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -l country -d 'US or CA (German numbers are imported over SIP, then retell:assign-phone)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -l area-code -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -l dry-run -d 'Print the request(s) that would be sent; change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from buy-phone" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -l agent-id -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -l greeting -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -l dry-run -d 'Print the request(s) that would be sent; change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-greeting" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -l agent-id -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -l voice-id -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -l language -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -l dry-run -d 'Print the request(s) that would be sent; change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-voice" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -l agent-id -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -l replace -d '"old text:new text"; repeat for several' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -l dry-run -d 'Print the request(s) that would be sent; change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from update-prompts" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l agent-id -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l from -d 'A number in this Retell account' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l to -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l scenario -d 'Passed to the agent as the dynamic variable test_scenario' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l dry-run -d 'Print the request(s) that would be sent; change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-call" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -l company-id -d 'Only this company\'s agents (default: every company\'s)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from agents" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l function -d 'Function name, e.g. check_availability' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l params -d 'Arguments as a JSON object, e.g. \'{"dienstleistung": "Haarschnitt", "datum": "morgen"}\'' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l branch-id -d 'The branch the call is for (see `askpro branch:list`)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l agent-id -d '…or the Retell agent that answers it (registered by retell:clone-agent)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l from -d 'The caller\'s number (default: withheld)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l call-id -d 'The call id (default: a new one per run; repeat one to see a retry\'s answer)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from test-function" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l to -d 'The daemon\'s base URL (the endpoint\'s path is added), or a full endpoint URL' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l agent-id -d 'The agent the call is for (as registered by retell:clone-agent)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l to-number -d 'The number called: a branch\'s phone or a number registered by retell:assign-phone' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l from -d 'The caller\'s number (default: withheld)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l key -d 'The Retell key to sign with (default: RETELL_API_KEY)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l call-id -d 'The call id (default: a new one per run; repeat one to send a duplicate)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l params -d 'A function\'s arguments as a JSON object (functions only)' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand retell; and __fish_seen_subcommand_from trigger" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and not __fish_seen_subcommand_from retry" -f -a "retry" -d 'Re-process stored webhook events whose processing failed'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -l hours -d 'How far back to look, in hours' -r
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand webhooks; and __fish_seen_subcommand_from retry" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and not __fish_seen_subcommand_from check" -f -a "check" -d 'Check the database, migrations, master key, daemon, agents, numbers and calendars; exit 1 if any check fails'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -l company-id -d 'Only this company\'s checks (default: every company)' -r
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -l timeout -d 'Seconds each check may take' -r
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -l key -d 'The Retell key to sign the daemon\'s test event with (default: RETELL_API_KEY)' -r
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -l skip-external -d 'Skip the checks that call Retell or Cal.com'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand preflight; and __fish_seen_subcommand_from check" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -f -a "health-check" -d 'Measure the database, disk, daemon, error rates and upstreams against the thresholds; exit 1 when one is breached'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and not __fish_seen_subcommand_from health-check configure-alerts" -f -a "configure-alerts" -d 'Set the alert targets and thresholds (installation-wide); with no flag, show them'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -l timeout -d 'Seconds each measure may take' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -l alert -d 'Queue one alert per breach for the configured e-mail and webhook (at most once an hour per breach)'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from health-check" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l email -d 'E-mail address for alerts (\'\' removes it)' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l webhook-url -d 'Webhook for alerts, posted as JSON {"text": …} (Slack incoming webhooks); \'\' removes it' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l threshold-cpu -d 'The daemon\'s CPU use, in percent of one core (default 80)' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l threshold-memory -d 'The daemon\'s resident memory, in MB (default 1024)' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l threshold-disk -d 'Disk use of the database\'s volume, in percent (default 90)' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l threshold-error-rate -d 'Failed function answers, webhooks or upstream requests, in percent (default 5)' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand monitoring; and __fish_seen_subcommand_from configure-alerts" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and not __fish_seen_subcommand_from analyze" -f -a "analyze" -d 'Find slow queries, missing indexes, N+1 requests and cold caches; exit 1 when an error-level finding remains'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l company-id -d 'Plan the queries with values from this company\'s rows (default: the busiest company)' -r
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l slow-ms -d 'A store operation whose p95 reaches this many milliseconds (or that took a minute in all) is slow' -r
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l min-rows -d 'A full scan of a table with at least this many rows is an error (below: a warning)' -r
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l days -d 'Read the counters daemons saved in the last DAYS days' -r
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l query -d 'Show only the slow queries, with their plans'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l fix -d 'Apply the safe fixes (missing indexes, ANALYZE, PRAGMA optimize, WAL checkpoint), then report again'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l dry-run -d 'With --fix: print the statements, change nothing'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l drop-unused -d 'With --fix: also drop duplicate and unused indexes'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -s h -l help -d 'Print help (see more with \'--help\')'
complete -c askpro -n "__fish_askpro_using_subcommand performance; and __fish_seen_subcommand_from analyze" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -f -a "migrate" -d 'Apply pending migrations'
complete -c askpro -n "__fish_askpro_using_subcommand db; and not __fish_seen_subcommand_from migrate status" -f -a "status" -d 'Show every migration and whether it is applied'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from migrate" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from migrate" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from migrate" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from migrate" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from migrate" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from migrate" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from migrate" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from status" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from status" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from status" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from status" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from status" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from status" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand db; and __fish_seen_subcommand_from status" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand key; and not __fish_seen_subcommand_from generate" -f -a "generate" -d 'Print a new master key for ASKPRO_MASTER_KEY'
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -l write -d 'Write it to askpro.key beside the SQLite database instead (never overwrites)'
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand key; and __fish_seen_subcommand_from generate" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and not __fish_seen_subcommand_from when" -f -a "when" -d 'Resolve a spoken date and time ("morgen um halb drei")'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -l now -d 'The reference instant, RFC 3339 (default: now)' -r
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -l tz -d 'The zone the caller speaks in' -r
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand nlu; and __fish_seen_subcommand_from when" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -f -a "list" -d 'List the industry presets with their services and settings'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and not __fish_seen_subcommand_from list show" -f -a "show" -d 'Show everything a preset sets up: settings, hours, services, staff roles, greetings'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from list" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from show" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from show" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from show" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from show" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from show" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from show" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand templates; and __fish_seen_subcommand_from show" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand completions" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand completions" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand completions" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand completions" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand completions" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand completions" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand completions" -s V -l version -d 'Print version'
complete -c askpro -n "__fish_askpro_using_subcommand list" -l config -d 'Settings file (default: ./askpro.toml when present)' -r -F
complete -c askpro -n "__fish_askpro_using_subcommand list" -l database-url -d 'Database URL [env: ASKPRO_DATABASE_URL, DATABASE_URL] [default: sqlite://askpro.db]' -r
complete -c askpro -n "__fish_askpro_using_subcommand list" -l json -d 'Print exactly one JSON document on stdout (errors as {"error": {...}})'
complete -c askpro -n "__fish_askpro_using_subcommand list" -s q -l quiet -d 'Print only the new id (create commands) or ids (lists)'
complete -c askpro -n "__fish_askpro_using_subcommand list" -s n -l no-interaction -d 'Never prompt; a missing value is an error naming its flag'
complete -c askpro -n "__fish_askpro_using_subcommand list" -s h -l help -d 'Print help'
complete -c askpro -n "__fish_askpro_using_subcommand list" -s V -l version -d 'Print version'
