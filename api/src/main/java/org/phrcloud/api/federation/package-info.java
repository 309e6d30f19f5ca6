/** {@code /api/federation}: this deployment's care givers reach patients whose records live at other deployments. */
package org.phrcloud.api.federation;
