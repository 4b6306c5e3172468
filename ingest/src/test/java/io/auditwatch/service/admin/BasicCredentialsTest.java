package io.auditwatch.service.admin;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Base64;
import org.junit.jupiter.api.Test;

class BasicCredentialsTest {

    private final BasicCredentials creds = BasicCredentials.of("ops", "pä55:word");

    private static String header(String scheme, String userPass) {
        return scheme + " " + Base64.getEncoder().encodeToString(userPass.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void matchesUtf8CredentialsWithColonInPassword() {
        assertTrue(creds.matches(header("Basic", "ops:pä55:word")));
    }

    @Test
    void schemeIsCaseInsensitive() {
        assertTrue(creds.matches(header("bAsIc", "ops:pä55:word")));
    }

    @Test
    void rejectsWrongPasswordMissingHeaderOtherSchemeAndBadBase64() {
        assertFalse(creds.matches(header("Basic", "ops:pä55:wor")));
        assertFalse(creds.matches(null));
        assertFalse(creds.matches(header("Bearer", "ops:pä55:word")));
        assertFalse(creds.matches("Basic !!!not-base64"));
        assertFalse(creds.matches("Basic"));
    }

    @Test
    void toStringRevealsNothing() {
        assertEquals("BasicCredentials[redacted]", creds.toString());
        assertFalse(AdminSettings.of("127.0.0.1", 0).withCredentials(creds).toString().contains("pä55"));
    }

    @Test
    void usernameWithColonIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> BasicCredentials.of("a:b", "x"));
    }
}
