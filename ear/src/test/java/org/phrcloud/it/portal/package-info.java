/** Browser tests of the portal (admin-ui): headless Chromium driven through WebDriver against the real platform. */
package org.phrcloud.it.portal;
