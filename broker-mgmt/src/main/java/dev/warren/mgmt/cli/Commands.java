package dev.warren.mgmt.cli;

import com.fasterxml.jackson.databind.node.TextNode;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The table of warrenctl's commands: rabbitmqctl's names, arguments, banners and columns, each bound to
 * the management API calls that carry it out.
 */
final class Commands {
    private static final Set<Option> NONE = Set.of();
    private static final Set<Option> TABLE = EnumSet.of(Option.NO_TABLE_HEADERS);
    private static final int ANY = Command.UNLIMITED;

    private static final Map<String, Command> ALL = build();

    private Commands() {
    }

    static Optional<Command> find(String name) {
        return Optional.ofNullable(ALL.get(name));
    }

    static List<Command> all() {
        return List.copyOf(ALL.values());
    }

    /** The known command closest to a mistyped one, if any is close enough to suggest. */
    static Optional<String> suggest(String name) {
        String best = null;
        int bestDistance = Integer.MAX_VALUE;
        for (String candidate : ALL.keySet()) {
            int distance = distance(name, candidate);
            if (distance < bestDistance) {
                best = candidate;
                bestDistance = distance;
            }
        }
        return bestDistance <= Math.max(2, name.length() / 4) ? Optional.ofNullable(best) : Optional.empty();
    }

    private static Map<String, Command> build() {
        List<Command> list = new ArrayList<>();

        // users
        list.add(new Command("add_user", "add_user <username> [<password>]",
                "Creates a user with no tags and no permissions. Without <password> it is read from stdin.",
                1, 2, NONE, null, c -> "Adding user \"" + c.arg(0) + "\" ...", UserActions::addUser));
        list.add(new Command("delete_user", "delete_user <username>",
                "Deletes a user and their permissions, and closes their connections.",
                1, 1, NONE, null, c -> "Deleting user \"" + c.arg(0) + "\" ...", UserActions::deleteUser));
        list.add(new Command("change_password", "change_password <username> [<password>]",
                "Sets a user's password. Without <password> it is read from stdin.",
                1, 2, NONE, null, c -> "Changing password for user \"" + c.arg(0) + "\" ...",
                UserActions::changePassword));
        list.add(new Command("authenticate_user", "authenticate_user <username> [<password>]",
                "Checks a user's password; exits with 65 when the node refuses it. Without <password> it is read from stdin.",
                1, 2, NONE, null, c -> "Authenticating user \"" + c.arg(0) + "\" ...",
                UserActions::authenticateUser));
        list.add(new Command("set_user_tags", "set_user_tags <username> [<tag> ...]",
                "Replaces a user's tags (administrator, monitoring, management, ...); no tags clears them.",
                1, ANY, NONE, null, UserActions::tagsBanner, UserActions::setUserTags));
        list.add(new Command("list_users", "list_users [--no-table-headers]",
                "Lists users and their tags.",
                0, 0, TABLE, Columns.builder()
                        .field("user", "name")
                        .computed("tags", o -> UserActions.tagArray(o.path("tags")))
                        .fixed("user", "tags"),
                c -> "Listing users ...", c -> Listing.all(c, "/api/users")));

        // virtual hosts
        list.add(new Command("add_vhost", "add_vhost <vhost> [--description <description>] [--tags <tag1,tag2>]",
                "Creates a virtual host; one that exists already is left as it is.",
                1, 1, EnumSet.of(Option.DESCRIPTION, Option.TAGS), null,
                c -> "Adding vhost \"" + c.arg(0) + "\" ...", AccessActions::addVhost));
        list.add(new Command("delete_vhost", "delete_vhost <vhost>",
                "Deletes a virtual host with everything in it: exchanges, queues, messages, permissions.",
                1, 1, NONE, null, c -> "Deleting vhost \"" + c.arg(0) + "\" ...", AccessActions::deleteVhost));
        list.add(new Command("list_vhosts", "list_vhosts [--no-table-headers] [<column> ...]",
                "Lists virtual hosts.",
                0, ANY, TABLE, Columns.builder()
                        .field("name").field("description").field("tags").field("tracing")
                        .defaults("name"),
                c -> "Listing vhosts ...", c -> Listing.all(c, "/api/vhosts")));

        // permissions
        list.add(new Command("set_permissions", "set_permissions [-p <vhost>] <username> <conf> <write> <read>",
                "Sets a user's configure, write and read permissions (regular expressions) in a virtual host.",
                4, 4, NONE, null,
                c -> "Setting permissions for user \"" + c.arg(0) + "\" in vhost \"" + c.vhost() + "\" ...",
                AccessActions::setPermissions));
        list.add(new Command("clear_permissions", "clear_permissions [-p <vhost>] <username>",
                "Removes a user's permissions in a virtual host.",
                1, 1, NONE, null,
                c -> "Clearing permissions for user \"" + c.arg(0) + "\" in vhost \"" + c.vhost() + "\" ...",
                AccessActions::clearPermissions));
        list.add(new Command("list_permissions", "list_permissions [-p <vhost>] [--no-table-headers]",
                "Lists the users' permissions in a virtual host.",
                0, 0, TABLE, Columns.builder()
                        .field("user").field("configure").field("write").field("read")
                        .fixed("user", "configure", "write", "read"),
                c -> "Listing permissions for vhost \"" + c.vhost() + "\" ...", AccessActions::listPermissions));
        list.add(new Command("list_user_permissions", "list_user_permissions [--no-table-headers] <username>",
                "Lists a user's permissions in every virtual host.",
                1, 1, TABLE, Columns.builder()
                        .field("vhost").field("configure").field("write").field("read")
                        .fixed("vhost", "configure", "write", "read"),
                c -> "Listing permissions for user \"" + c.arg(0) + "\" ...", AccessActions::listUserPermissions));

        // topic permissions
        list.add(new Command("set_topic_permissions",
                "set_topic_permissions [-p <vhost>] <username> <exchange> <write> <read>",
                "Sets the regular expressions a user's routing keys (write) and binding keys (read) must match on a topic "
                        + "exchange; {username} and {vhost} in them stand for the user's and virtual host's names.",
                4, 4, NONE, null,
                c -> "Setting topic permissions on \"" + c.arg(1) + "\" for user \"" + c.arg(0) + "\" in vhost \""
                        + c.vhost() + "\" ...",
                AccessActions::setTopicPermissions));
        list.add(new Command("clear_topic_permissions", "clear_topic_permissions [-p <vhost>] <username> [<exchange>]",
                "Removes a user's topic permissions in a virtual host: on one exchange, or on all.",
                1, 2, NONE, null,
                c -> "Clearing topic permissions " + (c.args().size() > 1 ? "on \"" + c.arg(1) + "\" " : "") + "for user \""
                        + c.arg(0) + "\" in vhost \"" + c.vhost() + "\" ...",
                AccessActions::clearTopicPermissions));
        list.add(new Command("list_topic_permissions", "list_topic_permissions [-p <vhost>] [--no-table-headers]",
                "Lists the users' topic permissions in a virtual host.",
                0, 0, TABLE, Columns.builder()
                        .field("user").field("exchange").field("write").field("read")
                        .fixed("user", "exchange", "write", "read"),
                c -> "Listing topic permissions for vhost \"" + c.vhost() + "\" ...", AccessActions::listTopicPermissions));
        list.add(new Command("list_user_topic_permissions", "list_user_topic_permissions [--no-table-headers] <username>",
                "Lists a user's topic permissions in every virtual host.",
                1, 1, TABLE, Columns.builder()
                        .field("vhost").field("exchange").field("write").field("read")
                        .fixed("vhost", "exchange", "write", "read"),
                c -> "Listing topic permissions for user \"" + c.arg(0) + "\" ...", AccessActions::listUserTopicPermissions));

        // the firehose
        list.add(new Command("trace_on", "trace_on [-p <vhost>]",
                "Copies every publish and delivery in the virtual host to its amq.rabbitmq.trace exchange (the firehose).",
                0, 0, NONE, null, c -> "Starting tracing for vhost \"" + c.vhost() + "\" ...", AccessActions::traceOn));
        list.add(new Command("trace_off", "trace_off [-p <vhost>]",
                "Stops the firehose of the virtual host.",
                0, 0, NONE, null, c -> "Stopping tracing for vhost \"" + c.vhost() + "\" ...", AccessActions::traceOff));

        // policies
        for (boolean operator : new boolean[] {false, true}) {
            String collection = operator ? PolicyActions.OPERATOR_POLICIES : PolicyActions.POLICIES;
            String noun = operator ? "operator_policy" : "policy";
            String what = operator ? "operator policy override" : "policy";
            list.add(new Command("set_" + noun,
                    "set_" + noun + " [-p <vhost>] [--priority <priority>] [--apply-to <apply-to>] <name> <pattern> <definition>",
                    (operator ? "Sets an operator policy: limits (expires, message-ttl, max-length, max-length-bytes, "
                            + "delivery-limit, consumer-timeout) that policies and queue arguments cannot raise. "
                            : "Sets a policy: a JSON definition, e.g. '{\"message-ttl\": 60000}', for the queues and exchanges "
                            + "whose names match the regular expression. ")
                            + "Applies at once to existing ones.",
                    3, 3, EnumSet.of(Option.PRIORITY, Option.APPLY_TO), null,
                    c -> PolicyActions.setBanner(c, what), c -> PolicyActions.set(c, collection)));
            list.add(new Command("clear_" + noun, "clear_" + noun + " [-p <vhost>] <name>",
                    "Removes a" + (operator ? "n operator" : "") + " policy; what it applied to takes the next matching one.",
                    1, 1, NONE, null,
                    c -> "Clearing " + (operator ? "operator policy" : "policy") + " \"" + c.arg(0) + "\" on vhost \""
                            + c.vhost() + "\" ...",
                    c -> PolicyActions.clear(c, collection)));
            list.add(new Command("list_" + (operator ? "operator_policies" : "policies"),
                    "list_" + (operator ? "operator_policies" : "policies") + " [-p <vhost>] [--no-table-headers]",
                    "Lists the " + (operator ? "operator " : "") + "policies of a virtual host.",
                    0, 0, TABLE, Columns.builder()
                            .field("vhost").field("name").field("pattern").field("apply-to")
                            .computed("definition", o -> TextNode.valueOf(o.path("definition").toString()))
                            .field("priority")
                            .fixed("vhost", "name", "pattern", "apply-to", "definition", "priority"),
                    c -> "Listing " + (operator ? "operator policy overrides" : "policies") + " for vhost \"" + c.vhost() + "\" ...",
                    c -> PolicyActions.list(c, collection)));
        }

        // limits
        list.add(new Command("set_vhost_limits", "set_vhost_limits [-p <vhost>] <definition>",
                "Sets a virtual host's limits from a JSON object, e.g. '{\"max-connections\": 100, \"max-queues\": 10}' "
                        + "(a negative value means no limit); limits it leaves out are cleared.",
                1, 1, NONE, null,
                c -> "Setting vhost limits to \"" + c.arg(0) + "\" for vhost \"" + c.vhost() + "\" ...",
                LimitActions::setVhostLimits));
        list.add(new Command("clear_vhost_limits", "clear_vhost_limits [-p <vhost>]",
                "Removes every limit of a virtual host.",
                0, 0, NONE, null, c -> "Clearing vhost \"" + c.vhost() + "\" limits ...", LimitActions::clearVhostLimits));
        list.add(new Command("list_vhost_limits", "list_vhost_limits [-p <vhost>] [--global]",
                "Shows a virtual host's limits as JSON, or with --global every virtual host's.",
                0, 0, EnumSet.of(Option.ALL_VHOSTS), null,
                c -> c.has(Option.ALL_VHOSTS) ? "Listing limits for all vhosts ..." : "Listing limits for vhost \"" + c.vhost() + "\" ...",
                LimitActions::listVhostLimits));
        list.add(new Command("set_user_limits", "set_user_limits <username> <definition>",
                "Sets a user's limits from a JSON object, e.g. '{\"max-connections\": 10, \"max-channels\": 100}' "
                        + "(a negative value means no limit); limits it leaves out are cleared.",
                2, 2, NONE, null,
                c -> "Setting user limits to \"" + c.arg(1) + "\" for user \"" + c.arg(0) + "\" ...",
                LimitActions::setUserLimits));
        list.add(new Command("clear_user_limits", "clear_user_limits <username> <limit|all>",
                "Removes one of a user's limits (max-connections, max-channels), or all of them.",
                2, 2, NONE, null, LimitActions::clearUserLimitsBanner, LimitActions::clearUserLimits));
        list.add(new Command("list_user_limits", "list_user_limits [--user <username>]",
                "Shows a user's limits as JSON, or every user's.",
                0, 0, EnumSet.of(Option.USER), null,
                c -> c.has(Option.USER) ? "Listing limits for user \"" + c.option(Option.USER, "") + "\" ..."
                        : "Listing limits for all users ...",
                LimitActions::listUserLimits));

        // queues, exchanges, bindings
        list.add(new Command("list_queues", "list_queues [-p <vhost>] [--no-table-headers] [<column> ...]",
                "Lists the queues of a virtual host.",
                0, ANY, TABLE, Columns.builder()
                        .field("name").field("vhost")
                        .computed("type", o -> TextNode.valueOf(o.path("type").asText("classic")))
                        .field("durable").field("auto_delete").field("exclusive").field("arguments")
                        .field("policy").field("operator_policy").field("effective_policy_definition")
                        .field("messages").field("messages_ready").field("messages_unacknowledged")
                        .field("consumers").field("memory").field("state").field("node")
                        .field("leader").field("members")
                        .defaults("name", "messages"),
                c -> "Timeout: " + (double) c.timeout().toSeconds() + " seconds ...\n"
                        + "Listing queues for vhost " + c.vhost() + " ...",
                c -> Listing.inVhost(c, "queues")));
        list.add(new Command("list_exchanges", "list_exchanges [-p <vhost>] [--no-table-headers] [<column> ...]",
                "Lists the exchanges of a virtual host.",
                0, ANY, TABLE, Columns.builder()
                        .field("name").field("vhost").field("type").field("durable").field("auto_delete")
                        .field("internal").field("arguments").field("policy")
                        .defaults("name", "type"),
                c -> "Listing exchanges for vhost " + c.vhost() + " ...", c -> Listing.inVhost(c, "exchanges")));
        list.add(new Command("list_bindings", "list_bindings [-p <vhost>] [--no-table-headers] [<column> ...]",
                "Lists the bindings of a virtual host.",
                0, ANY, TABLE, Columns.builder()
                        .field("source_name", "source")
                        .computed("source_kind", o -> TextNode.valueOf("exchange"))
                        .field("destination_name", "destination")
                        .field("destination_kind", "destination_type")
                        .field("routing_key").field("arguments").field("vhost")
                        .defaults("source_name", "source_kind", "destination_name", "destination_kind",
                                "routing_key", "arguments"),
                c -> "Listing bindings for vhost " + c.vhost() + "...", c -> Listing.inVhost(c, "bindings")));
        list.add(new Command("purge_queue", "purge_queue [-p <vhost>] <queue>",
                "Removes every ready message from a queue.",
                1, 1, NONE, null, c -> "Purging queue '" + c.arg(0) + "' in vhost '" + c.vhost() + "' ...",
                QueueActions::purgeQueue));
        list.add(new Command("delete_queue", "delete_queue [-p <vhost>] <queue> [--if-empty|-e] [--if-unused|-u]",
                "Deletes a queue and its messages; with --if-empty or --if-unused only when it has no messages or no consumers.",
                1, 1, EnumSet.of(Option.IF_EMPTY, Option.IF_UNUSED), null, QueueActions::deleteQueueBanner,
                QueueActions::deleteQueue));

        // quorum queue members (rabbitmq-queues)
        list.add(new Command("add_member", "add_member [-p <vhost>] <queue> <node>",
                "Adds a cluster node as a member of a quorum queue: it starts a replica, which catches up.",
                2, 2, NONE, null, c -> "Adding a replica for queue " + c.arg(0) + " on node " + c.arg(1) + "...",
                QuorumActions::addMember));
        list.add(new Command("delete_member", "delete_member [-p <vhost>] <queue> <node>",
                "Removes a member of a quorum queue: its replica, log and snapshots go from that node.",
                2, 2, NONE, null, c -> "Removing a replica for queue " + c.arg(0) + " on node " + c.arg(1) + "...",
                QuorumActions::deleteMember));
        list.add(new Command("grow", "grow <node> <all|even>",
                "Adds the node as a member of every quorum queue that lacks it (even: only those with an even count).",
                2, 2, NONE, null, c -> "Growing quorum queues onto node " + c.arg(0) + "...", QuorumActions::grow));
        list.add(new Command("shrink", "shrink <node>",
                "Removes the node from every quorum queue it is a member of (those with other members).",
                1, 1, NONE, null, c -> "Shrinking quorum queues on node " + c.arg(0) + "...", QuorumActions::shrink));

        // connections, channels, consumers
        list.add(new Command("list_connections", "list_connections [--no-table-headers] [<column> ...]",
                "Lists AMQP 0-9-1 connections. The pid column is the connection's name, which close_connection takes.",
                0, ANY, TABLE, Columns.builder()
                        .field("pid", "name").field("name").field("user").field("vhost")
                        .field("host").field("port").field("peer_host").field("peer_port").field("state")
                        .field("channels").field("protocol").field("auth_mechanism").field("ssl")
                        .field("ssl_protocol").field("ssl_cipher").field("peer_cert_subject").field("peer_cert_issuer")
                        .field("peer_cert_validity").field("timeout").field("frame_max").field("channel_max").field("client_properties")
                        .field("recv_oct").field("recv_cnt").field("send_oct").field("send_cnt")
                        .field("connected_at")
                        .defaults("user", "peer_host", "peer_port", "state"),
                c -> "Listing connections ...", c -> Listing.all(c, "/api/connections")));
        list.add(new Command("list_channels", "list_channels [--no-table-headers] [<column> ...]",
                "Lists channels. The pid column is the channel's name.",
                0, ANY, TABLE, Columns.builder()
                        .field("pid", "name").field("name").field("connection", "connection_details.name")
                        .field("number").field("user").field("vhost").field("transactional").field("confirm")
                        .field("consumer_count").field("messages_unacknowledged").field("messages_uncommitted")
                        .field("acks_uncommitted").field("messages_unconfirmed").field("prefetch_count")
                        .field("global_prefetch_count")
                        .defaults("pid", "user", "consumer_count", "messages_unacknowledged"),
                c -> "Listing channels ...", c -> Listing.all(c, "/api/channels")));
        list.add(new Command("list_consumers", "list_consumers [-p <vhost>] [--no-table-headers] [<column> ...]",
                "Lists the consumers of a virtual host's queues. channel_pid is the channel's name.",
                0, ANY, TABLE, Columns.builder()
                        .field("queue_name", "queue.name").field("channel_pid", "channel_details.name")
                        .field("consumer_tag").field("ack_required").field("prefetch_count").field("active")
                        .field("activity_status").field("exclusive").field("arguments")
                        .defaults("queue_name", "channel_pid", "consumer_tag", "ack_required", "prefetch_count",
                                "active", "arguments"),
                c -> "Listing consumers in vhost " + c.vhost() + " ...", c -> Listing.inVhost(c, "consumers")));
        list.add(new Command("close_connection", "close_connection <connection name> <explanation>",
                "Closes a connection (its name as list_connections shows it) with 320 CONNECTION_FORCED and the explanation.",
                2, 2, NONE, null, c -> "Closing connection " + c.arg(0) + ", reason: " + c.arg(1) + "...",
                QueueActions::closeConnection));

        list.add(new Command("close_all_connections",
                "close_all_connections [-p <vhost> | --global] [--limit <n>] [--per-connection-delay <ms>] <explanation>",
                "Closes every connection of a virtual host (or, with --global, of the node) with 320 CONNECTION_FORCED.",
                1, 1, EnumSet.of(Option.ALL_VHOSTS, Option.LIMIT, Option.PER_CONNECTION_DELAY), null,
                c -> c.has(Option.ALL_VHOSTS)
                        ? "Closing all connections to node " + c.node().node() + " (across all vhosts), reason: " + c.arg(0) + "..."
                        : "Closing all connections in vhost " + c.vhost() + ", reason: " + c.arg(0) + "...",
                QueueActions::closeAllConnections));

        // node
        list.add(new Command("stop_app", "stop_app",
                "Stops the AMQP listeners and closes every client connection (320), keeping definitions, queues and "
                        + "messages; the management API stays up, so start_app can reach it.",
                0, 0, NONE, null, c -> "Stopping Warren application on node " + c.node().node() + " ...", NodeActions::stopApp));
        list.add(new Command("start_app", "start_app",
                "Starts the AMQP listeners again, on the ports they had.",
                0, 0, NONE, null, c -> "Starting node " + c.node().node() + " ...", NodeActions::startApp));
        list.add(new Command("status", "status",
                "Shows the node's version, alarms, memory use and watermark, object and message totals, and listeners.",
                0, 0, NONE, null, NodeActions::statusBanner, NodeActions::status));
        list.add(new Command("cluster_status", "cluster_status",
                "Lists the cluster's nodes (disk nodes) and which of them the node reaches (running nodes).",
                0, 0, NONE, null, ClusterActions::banner, ClusterActions::clusterStatus));
        list.add(new Command("join_cluster", "join_cluster <node>",
                "Makes this node, outside a cluster, a member of the cluster <node> (NAME@HOST:PORT, its inter-node port) "
                        + "is in. As rabbitmqctl's, it resets this node first: its definitions and messages go, the "
                        + "cluster's replace them; the node then restarts in the cluster.",
                1, 1, NONE, null, c -> "Clustering node " + c.node().node() + " with " + c.arg(0), ClusterActions::joinCluster));
        list.add(new Command("forget_cluster_node", "forget_cluster_node <node>",
                "Removes a stopped node from the cluster for good (from the metadata group and every quorum queue); "
                        + "run it on a remaining node. The forgotten node starts again only with an empty data directory.",
                1, 1, NONE, null, c -> "Removing node " + c.arg(0) + " from the cluster", ClusterActions::forgetClusterNode));
        list.add(new Command("set_vm_memory_high_watermark",
                "set_vm_memory_high_watermark <fraction> | absolute <size>",
                "Sets the memory alarm's threshold until the node restarts: a fraction (0 to 1) of the memory the node "
                        + "sees, or an absolute size (bytes, or e.g. 512MiB, 2GB). Above it publishers are blocked.",
                1, 2, NONE, null, MemoryActions::banner, MemoryActions::setWatermark));
        list.add(new Command("export_definitions", "export_definitions <file | \"-\">",
                "Writes users, virtual hosts, permissions, exchanges, queues and bindings as RabbitMQ's definitions JSON; - is stdout.",
                1, 1, NONE, null, NodeActions::exportBanner, NodeActions::exportDefinitions));
        list.add(new Command("import_definitions", "import_definitions [<file | \"-\">]",
                "Imports definitions JSON (as export_definitions or RabbitMQ write it); - or no file is stdin.",
                0, 1, NONE, null, NodeActions::importBanner, NodeActions::importDefinitions));

        Map<String, Command> byName = new LinkedHashMap<>();
        list.forEach(command -> byName.put(command.name(), command));
        return Collections.unmodifiableMap(byName);
    }

    private static int distance(String a, String b) {
        int[] previous = new int[b.length() + 1];
        int[] current = new int[b.length() + 1];
        for (int j = 0; j <= b.length(); j++) {
            previous[j] = j;
        }
        for (int i = 1; i <= a.length(); i++) {
            current[0] = i;
            for (int j = 1; j <= b.length(); j++) {
                int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
                current[j] = Math.min(Math.min(current[j - 1] + 1, previous[j] + 1), previous[j - 1] + cost);
            }
            int[] swap = previous;
            previous = current;
            current = swap;
        }
        return previous[b.length()];
    }
}
