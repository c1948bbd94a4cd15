package org.streamprox.proxy.route;

import java.util.List;
import java.util.regex.Pattern;
import org.streamprox.proxy.http.RequestHead;

/** One condition on a head. A rule's conditions must all hold. */
@FunctionalInterface
public interface RequestMatcher {

    boolean matches(RequestHead head);

    /** Paths that start with the prefix, as the original toolkit matched ({@code /google} matches {@code /googles}). */
    static RequestMatcher pathPrefix(String prefix) {
        return head -> head.path().startsWith(prefix);
    }

    static RequestMatcher path(String path) {
        return head -> head.path().equals(path);
    }

    /** The regex must match the whole path. */
    static RequestMatcher pathRegex(Pattern regex) {
        return head -> regex.matcher(head.path()).matches();
    }

    /** Exact host, or {@code *.example.org} for any name below example.org; ports are ignored, case too. */
    static RequestMatcher host(String pattern) {
        HostPattern wanted = new HostPattern(pattern);
        return head -> head.host().filter(wanted).isPresent();
    }

    static RequestMatcher method(String method) {
        return head -> head.method().equals(method);
    }

    /** Some value of the named header matches the regex (found anywhere in the value). */
    static RequestMatcher header(String name, Pattern regex) {
        return head -> head.headers().all(name).stream().anyMatch(value -> regex.matcher(value).find());
    }

    static RequestMatcher all(List<RequestMatcher> matchers) {
        List<RequestMatcher> copy = List.copyOf(matchers);
        return head -> copy.stream().allMatch(matcher -> matcher.matches(head));
    }
}
