/**
 * warrenctl, Warren's rabbitmqctl.
 *
 * <p>It takes rabbitmqctl's commands and arguments (add_user, set_permissions -p / alex ".*" ".*" ".*",
 * list_queues -p / name messages consumers, ...), prints what rabbitmqctl prints (an informational banner
 * such as {@code Listing queues for vhost / ...}, then tab-separated rows after a header line), and exits with
 * rabbitmqctl's statuses (see {@link dev.warren.mgmt.cli.ExitCodes}). It carries each command out through the
 * node's management HTTP API.
 *
 * <p>How the pieces fit: {@code ArgParser} splits the command line into an {@code Invocation};
 * {@code Commands} is the table of {@code Command}s (name, usage, arity, options, columns, banner, action);
 * {@code Warrenctl} checks the invocation against the command, resolves the node ({@code NodeTarget}: the
 * local node's {@code warrenctl.json} secret, or {@code --node} with basic auth; an https node's certificate
 * checked against {@code NodeTrust}'s CAs), runs the action with a
 * {@code NodeClient} and prints its {@code Result} with a {@code Formatter} (table or JSON).
 *
 * <p>Output options: {@code -q/--quiet} drops the banner and notes, {@code -s/--silent} also the table header,
 * {@code --no-table-headers} only the header, {@code --formatter json} prints JSON (and no banner).
 */
package dev.warren.mgmt.cli;
