// libssh2 through a system-library target (Debian libssh2-1-dev). Swift cannot call libssh2's
// function-like macros, so the few used here are wrapped as inline functions.
#ifndef HOMELAB_CLIBSSH2_SHIM_H
#define HOMELAB_CLIBSSH2_SHIM_H
#include <libssh2.h>

static inline LIBSSH2_SESSION *hl_session_init(void) { return libssh2_session_init_ex(NULL, NULL, NULL, NULL); }

static inline int hl_session_disconnect(LIBSSH2_SESSION *session, const char *description) {
    return libssh2_session_disconnect_ex(session, SSH_DISCONNECT_BY_APPLICATION, description, "");
}

static inline int hl_userauth_password(LIBSSH2_SESSION *session, const char *user, const char *password) {
    return libssh2_userauth_password_ex(session, user, (unsigned int)strlen(user), password, (unsigned int)strlen(password), NULL);
}

static inline LIBSSH2_CHANNEL *hl_channel_open_session(LIBSSH2_SESSION *session) {
    return libssh2_channel_open_ex(session, "session", sizeof("session") - 1, LIBSSH2_CHANNEL_WINDOW_DEFAULT,
                                   LIBSSH2_CHANNEL_PACKET_DEFAULT, NULL, 0);
}

static inline int hl_channel_exec(LIBSSH2_CHANNEL *channel, const char *command) {
    return libssh2_channel_process_startup(channel, "exec", sizeof("exec") - 1, command, (unsigned int)strlen(command));
}

static inline ssize_t hl_channel_read(LIBSSH2_CHANNEL *channel, int stream, char *buffer, size_t length) {
    return libssh2_channel_read_ex(channel, stream, buffer, length);
}

static inline ssize_t hl_channel_write(LIBSSH2_CHANNEL *channel, const char *buffer, size_t length) {
    return libssh2_channel_write_ex(channel, 0, buffer, length);
}

static inline const char *hl_last_error(LIBSSH2_SESSION *session) {
    char *message = NULL;
    int length = 0;
    libssh2_session_last_error(session, &message, &length, 0);
    return message ? message : "";
}
#endif
