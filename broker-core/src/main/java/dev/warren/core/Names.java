package dev.warren.core;

import java.security.SecureRandom;
import java.util.Base64;

/** Server-generated names, in RabbitMQ's shapes: {@code amq.gen-…} queues and {@code amq.ctag-…} consumer tags. */
public final class Names {
    public static final String GENERATED_QUEUE_PREFIX = "amq.gen-";
    public static final String GENERATED_CONSUMER_TAG_PREFIX = "amq.ctag-";
    private static final SecureRandom RANDOM = new SecureRandom();
    private static final Base64.Encoder URL_SAFE = Base64.getUrlEncoder().withoutPadding();

    private Names() {
    }

    public static String queueName() {
        return GENERATED_QUEUE_PREFIX + randomWord();
    }

    public static String consumerTag() {
        return GENERATED_CONSUMER_TAG_PREFIX + randomWord();
    }

    /** 128 random bits as 22 URL-safe base64 characters. */
    private static String randomWord() {
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        return URL_SAFE.encodeToString(bytes);
    }

    /** A declared name without line feeds and carriage returns, which RabbitMQ strips from it. */
    public static String withoutLineBreaks(String name) {
        return name.indexOf('\n') < 0 && name.indexOf('\r') < 0 ? name : name.replace("\n", "").replace("\r", "");
    }
}
