// libcurl through a system-library target (Debian libcurl4-openssl-dev), for the controller's SMTP alerts.
// curl_easy_setopt and curl_easy_getinfo are variadic, which Swift cannot call: these wrap the kinds used.
#ifndef HOMELAB_CCURL_SHIM_H
#define HOMELAB_CCURL_SHIM_H
#include <curl/curl.h>

static inline CURLcode hl_curl_set_long(CURL *curl, CURLoption option, long value) { return curl_easy_setopt(curl, option, value); }

static inline CURLcode hl_curl_set_string(CURL *curl, CURLoption option, const char *value) { return curl_easy_setopt(curl, option, value); }

static inline CURLcode hl_curl_set_pointer(CURL *curl, CURLoption option, void *value) { return curl_easy_setopt(curl, option, value); }

static inline CURLcode hl_curl_set_read(CURL *curl, curl_read_callback callback) { return curl_easy_setopt(curl, CURLOPT_READFUNCTION, callback); }

static inline long hl_curl_response_code(CURL *curl) {
    long code = 0;
    curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &code);
    return code;
}
#endif
