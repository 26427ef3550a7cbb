export APP_PAPERLESS_PORT="8017"
export APP_PAPERLESS_DB_PASSWORD=$(derive_entropy "${app_entropy_identifier}-database")

local_addresses=$(hostname --all-ip-addresses 2> /dev/null) || local_addresses=""
export APP_PAPERLESS_ALLOWED_HOSTS="${local_addresses}"
