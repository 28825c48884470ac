"""connection.update-secret as OAuth-style clients refresh a token on a live connection (pika >= 1.3's
BlockingConnection.update_secret): a secret that authenticates the user keeps the connection and its
channels working; one that does not closes the connection with 530 NOT_ALLOWED, RabbitMQ's code and text.

RabbitMQ's internal user store accepts any new secret (only token backends check it); Warren checks it
like a login, so the refusal half runs only against Warren.
"""
import pika

from tutorial_support import check, connect, named, run

QUEUE = named("secret.refresh")


def test():
    connection = connect()
    channel = connection.channel()
    channel.queue_declare(queue=QUEUE, auto_delete=True)

    connection.update_secret("guest", "token refresh")
    channel.basic_publish(exchange="", routing_key=QUEUE, body=b"after refresh")
    method, _, body = channel.basic_get(queue=QUEUE, auto_ack=True)
    check(method is not None and body == b"after refresh",
          "the channel did not work after a good update_secret: got %r" % (body,))

    product = connection._impl.server_properties.get("product")
    if product not in ("Warren", b"Warren"):
        connection.close()
        return
    try:
        connection.update_secret("not the password", "token refresh")
        connection.process_data_events(time_limit=1)
        raise AssertionError("a wrong secret was accepted")
    except pika.exceptions.ConnectionClosedByBroker as e:
        check(e.reply_code == 530, "a wrong secret closed the connection with %d, not 530" % e.reply_code)
        check(e.reply_text.startswith("NOT_ALLOWED - New secret was refused"),
              "unexpected reply text %r" % e.reply_text)
    check(connection.is_closed, "the connection stayed open after a refused secret")


if __name__ == "__main__":
    run("update_secret", test)
