/** The shared chat scenario (issue 15) on Microsoft Teams. */
import { teamsDriver } from './drivers/teams.ts';
import { chatScenario } from './scenario.ts';

chatScenario('Teams', teamsDriver);
