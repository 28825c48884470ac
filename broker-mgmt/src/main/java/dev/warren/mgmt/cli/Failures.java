package dev.warren.mgmt.cli;

/** The errors several commands report, worded as rabbitmqctl words them. */
final class Failures {
    private Failures() {
    }

    static CliException noSuchUser(String user) {
        return CliException.error(ExitCodes.NOUSER, "User \"" + user + "\" does not exist");
    }

    static CliException noSuchVhost(String vhost) {
        return new CliException(ExitCodes.DATAERR, "Virtual host '" + vhost + "' does not exist");
    }

    static CliException badArgument(String detail) {
        return new CliException(ExitCodes.DATAERR, "Error (argument validation): Bad argument: " + detail);
    }

    /** Fails with 67 when the user does not exist; the user's JSON otherwise. */
    static ApiResponse requireUser(NodeClient node, String user) {
        return NodeClient.require(node.get("/api/users/" + NodeClient.segment(user)), () -> noSuchUser(user));
    }

    /** Fails with 65 when the virtual host does not exist. */
    static void requireVhost(NodeClient node, String vhost) {
        NodeClient.require(node.get("/api/vhosts/" + NodeClient.segment(vhost)), () -> noSuchVhost(vhost));
    }
}
