package dev.warren.mgmt.cli;

/**
 * The exit statuses warrenctl returns: rabbitmqctl's, which are the BSD sysexits codes.
 *
 * <ul>
 *   <li>{@link #OK}: done, or help asked for;</li>
 *   <li>{@link #USAGE}: unknown command or option, wrong number of arguments, unknown column; also
 *       delete_queue's "Queue not found"/"Queue is not empty"/"Queue is in use", as in rabbitmqctl;</li>
 *   <li>{@link #DATAERR}: a bad argument value, a missing virtual host, a refused authenticate_user, an
 *       unreadable or malformed definitions file, a password missing from both argument and stdin;</li>
 *   <li>{@link #NOUSER}: the user does not exist;</li>
 *   <li>{@link #UNAVAILABLE}: the node could not be reached or refused warrenctl's credentials (401);</li>
 *   <li>{@link #SOFTWARE}: the node refused the operation (user already exists, the logged-in user may
 *       not do it, ...);</li>
 *   <li>{@link #TEMPFAIL}: the node did not answer within the timeout.</li>
 * </ul>
 */
public final class ExitCodes {
    public static final int OK = 0;
    public static final int USAGE = 64;
    public static final int DATAERR = 65;
    public static final int NOUSER = 67;
    public static final int UNAVAILABLE = 69;
    public static final int SOFTWARE = 70;
    public static final int TEMPFAIL = 75;

    private ExitCodes() {
    }
}
