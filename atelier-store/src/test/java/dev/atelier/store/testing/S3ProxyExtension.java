package dev.atelier.store.testing;

import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;

/**
 * Gives tests an {@link S3Proxy} parameter: one s3proxy process per test JVM, started on first use
 * and stopped when the run ends (JUnit closes what the root store holds). Tests isolate themselves
 * with {@link S3Proxy#createBucket()}.
 */
public final class S3ProxyExtension implements ParameterResolver {
  private static final ExtensionContext.Namespace NAMESPACE =
      ExtensionContext.Namespace.create(S3ProxyExtension.class);

  @Override
  public boolean supportsParameter(ParameterContext parameter, ExtensionContext context) {
    return parameter.getParameter().getType() == S3Proxy.class;
  }

  @Override
  public Object resolveParameter(ParameterContext parameter, ExtensionContext context) {
    return context
        .getRoot()
        .getStore(NAMESPACE)
        .getOrComputeIfAbsent(S3Proxy.class, k -> S3Proxy.start(), S3Proxy.class);
  }
}
