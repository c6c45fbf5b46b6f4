// The one zod instance of the project, extended with .openapi() metadata so that
// openapi/openapi.json can be generated from the same schemas that validate input.
import { extendZodWithOpenApi } from '@asteasolutions/zod-to-openapi';
import { z } from 'zod';

extendZodWithOpenApi(z);

export { z };
