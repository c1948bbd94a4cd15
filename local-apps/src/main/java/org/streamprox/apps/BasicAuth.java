package org.streamprox.apps;

import org.eclipse.jetty.security.Constraint;
import org.eclipse.jetty.security.HashLoginService;
import org.eclipse.jetty.security.SecurityHandler;
import org.eclipse.jetty.security.UserStore;
import org.eclipse.jetty.security.authentication.BasicAuthenticator;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.util.security.Credential;

/** Puts an app behind HTTP Basic authentication with a single user, using Jetty's security module. */
final class BasicAuth {

    private BasicAuth() {
    }

    static Handler protect(Handler app, String realm, String user, String password) {
        UserStore users = new UserStore();
        users.addUser(user, Credential.getCredential(password), new String[] {"user"});
        HashLoginService login = new HashLoginService(realm);
        login.setUserStore(users);

        SecurityHandler.PathMapped security = new SecurityHandler.PathMapped(app);
        security.put("/*", Constraint.ANY_USER);
        security.setAuthenticator(new BasicAuthenticator());
        security.setLoginService(login);
        return security;
    }
}
