/** The caller context ({@link org.phrcloud.identity.caller.Caller}): who calls, roles, institutions, acr. */
package org.phrcloud.identity.caller;
