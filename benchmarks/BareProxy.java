import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.HttpServerOptions;
import io.vertx.core.http.PoolOptions;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.VerticleBase;
import io.vertx.core.DeploymentOptions;

/**
 * The floor of a proxy built on Vert.x, for benchmarks/run.sh: one verticle per core, each with
 * its own HTTP server and client, forwarding a request's body to the upstream and the answer back
 * and doing nothing else (no routing, no JSON, no policies). Run from the repository root with the
 * gateway's jar on the class path (Java's single-file launcher):
 *
 *   java -cp target/portcullis.jar benchmarks/BareProxy.java PORT UPSTREAM_PORT
 */
public class BareProxy extends VerticleBase {

  static int port;
  static int upstreamPort;
  HttpClient client;

  public static void main(String[] args) {
    port = Integer.parseInt(args[0]);
    upstreamPort = Integer.parseInt(args[1]);
    int cores = Runtime.getRuntime().availableProcessors();
    Vertx vertx = Vertx.vertx(new VertxOptions().setPreferNativeTransport(true).setEventLoopPoolSize(cores));
    vertx.deployVerticle(BareProxy::new, new DeploymentOptions().setInstances(cores))
        .onSuccess(id -> System.out.println("bare Vert.x proxy on " + port + " to " + upstreamPort))
        .onFailure(e -> { e.printStackTrace(); System.exit(1); });
  }

  @Override
  public Future<?> start() {
    client = vertx.createHttpClient(new HttpClientOptions().setKeepAlive(true).setTcpNoDelay(true),
        new PoolOptions().setHttp1MaxSize(512));
    return vertx.createHttpServer(new HttpServerOptions().setPort(port).setHost("127.0.0.1").setTcpNoDelay(true))
        .requestHandler(req -> req.body().onSuccess(body -> {
          RequestOptions o = new RequestOptions().setMethod(HttpMethod.POST).setHost("127.0.0.1").setPort(upstreamPort)
              .setURI(req.uri()).putHeader("content-type", "application/json");
          client.request(o).compose(r -> r.send(body)).compose(res -> res.body().map(b -> {
            req.response().setStatusCode(res.statusCode()).putHeader("content-type", res.getHeader("content-type")).end(b);
            return null;
          })).onFailure(e -> req.response().setStatusCode(502).end());
        }))
        .listen();
  }
}
