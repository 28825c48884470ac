package dev.warren.mgmt.cli;

import java.util.EnumSet;
import java.util.List;
import java.util.Optional;
import java.util.Set;

/** The options warrenctl knows: their spellings, whether they take a value, and their help line. */
enum Option {
    NODE(true, "<url>", "management API of the node to reach (http://host:15672, host[:port] or rabbit@host)", "--node", "-n"),
    USERNAME(true, "<user>", "user for --node (default guest)", "--username"),
    PASSWORD(true, "<password>", "password for --node (default guest)", "--password"),
    CACERTFILE(true, "<file>", "CA certificates (PEM) to trust for an https --node (default $WARREN_CTL_CACERTFILE, "
            + "else the JVM's trusted CAs)", "--cacertfile"),
    DATA_DIR(true, "<dir>", "the local node's data directory (default $WARREN_DATA_DIR, else ~/.warren/data)", "--data-dir"),
    VHOST(true, "<vhost>", "virtual host (default /)", "--vhost", "-p"),
    QUIET(false, null, "suppress informational messages", "--quiet", "-q"),
    SILENT(false, null, "suppress informational messages and table headers", "--silent", "-s"),
    FORMATTER(true, "<table|json>", "output format (default table)", "--formatter"),
    TIMEOUT(true, "<seconds>", "how long to wait for the node (default 60)", "--timeout", "-t"),
    HELP(false, null, "print usage and exit", "--help", "-h", "-?"),
    NO_TABLE_HEADERS(false, null, "omit the header line of tables", "--no-table-headers"),
    IF_EMPTY(false, null, "delete the queue only if it is empty", "--if-empty", "--if_empty", "-e"),
    IF_UNUSED(false, null, "delete the queue only if it has no consumers", "--if-unused", "--if_unused", "-u"),
    DESCRIPTION(true, "<description>", "virtual host description", "--description", "-d"),
    TAGS(true, "<tag1,tag2>", "comma-separated virtual host tags", "--tags"),
    ALL_VHOSTS(false, null, "list the limits of every virtual host", "--global"),
    USER(true, "<username>", "the user whose limits to list (default: every user)", "--user"),
    LIMIT(true, "<number>", "close up to this many connections", "--limit"),
    PER_CONNECTION_DELAY(true, "<milliseconds>", "wait this long between closures", "--per-connection-delay"),
    PRIORITY(true, "<priority>", "the policy's priority: of the policies matching an object, the highest applies (default 0)",
            "--priority"),
    APPLY_TO(true, "<queues|classic_queues|exchanges|all>", "what the policy applies to (default all)", "--apply-to");

    /** Accepted by every command. */
    static final Set<Option> GLOBAL = EnumSet.of(NODE, USERNAME, PASSWORD, CACERTFILE, DATA_DIR, VHOST, QUIET, SILENT,
            FORMATTER, TIMEOUT, HELP);

    private final boolean takesValue;
    private final String valueName;
    private final String help;
    private final List<String> spellings;

    Option(boolean takesValue, String valueName, String help, String... spellings) {
        this.takesValue = takesValue;
        this.valueName = valueName;
        this.help = help;
        this.spellings = List.of(spellings);
    }

    boolean takesValue() {
        return takesValue;
    }

    /** The long spelling, e.g. {@code --vhost}. */
    String longName() {
        return spellings.get(0);
    }

    /** How help shows it, e.g. {@code -p, --vhost <vhost>}. */
    String synopsis() {
        String names = String.join(", ", spellings.subList(1, spellings.size()).stream()
                .filter(s -> !s.contains("_")).toList());
        String name = (names.isEmpty() ? "" : names + ", ") + longName();
        return takesValue ? name + " " + valueName : name;
    }

    String help() {
        return help;
    }

    static Optional<Option> bySpelling(String token) {
        for (Option option : values()) {
            if (option.spellings.contains(token)) {
                return Optional.of(option);
            }
        }
        return Optional.empty();
    }
}
