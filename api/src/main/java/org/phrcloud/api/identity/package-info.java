/** {@code /api/identity}: the master patient index and institution keys over HTTP. */
package org.phrcloud.api.identity;
